// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("js-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  // Forms with data-confirm ask before submitting (archive, remove, close poll...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // The button pressed may ask its own question (a «save and submit» next to «save»).
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute && submitter.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // htmx: let 422 responses (invalid forms) swap in, so errors show inline.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// Feedback everywhere (issue 13): one handler for every failed htmx request, in place and in the
// page's language (the messages come from templates/includes/feedback_messages.html); the first
// failed field gets the focus; the CSRF token sent is always the current one.
(function () {
  "use strict";

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return "";
  }

  // A re-login in another tab rotates the CSRF secret: send the cookie's current value, never
  // the token the page was rendered with.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = cookie("csrftoken");
    if (token) { event.detail.headers["X-CSRFToken"] = token; }
  });
  document.addEventListener("submit", function (event) {
    var token = cookie("csrftoken");
    if (!token || !event.target.querySelectorAll) { return; }
    event.target.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.value = token;
    });
  }, true);

  function text(key, fill) {
    var box = document.getElementById("feedback-messages");
    var node = box && box.content.querySelector('[data-status="' + key + '"]');
    var message = node ? node.textContent.trim() : key;
    Object.keys(fill || {}).forEach(function (name) {
      message = message.replace("{" + name + "}", fill[name]);
    });
    return message;
  }

  function serverMessage(xhr) {
    // Our error pages mark their explanation with data-error-message.
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") !== 0 || !xhr.responseText) { return ""; }
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var node = doc.querySelector("[data-error-message]");
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function messageFor(xhr) {
    var status = xhr.status;
    if (status === 403 || status === 404) { return serverMessage(xhr) || text(String(status)); }
    if (status === 409 || status === 422) { return text(String(status)); }
    if (status === 429) {
      var wait = parseInt(xhr.getResponseHeader("Retry-After") || "", 10);
      return wait > 0 ? text("429-wait", { seconds: wait }) : text("429");
    }
    if (status >= 500) { return text("5xx"); }
    return text("other", { status: status });
  }

  function host(elt) {
    if (!elt || !elt.closest) { return document.querySelector("main") || document.body; }
    return elt.closest("form") || elt.closest("section, .card") || elt.parentElement;
  }

  function showError(elt, message) {
    var where = host(elt);
    var box = where.querySelector(".htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "form-errors htmx-error";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      where.insertBefore(box, where.firstChild);
    }
    box.textContent = message;
    box.scrollIntoView({ block: "nearest" });
    box.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var where = host(event.detail.elt);
    var old = where && where.querySelector(".htmx-error");
    if (old) { old.remove(); }
  });
  document.addEventListener("htmx:responseError", function (event) {
    showError(event.detail.elt, messageFor(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, text("network"));
  });
  document.addEventListener("htmx:timeout", function (event) {
    showError(event.detail.elt, text("timeout"));
  });

  // Errors come into view and the first failed field gets the focus (after an htmx swap of an
  // invalid form, and after a full-page submit without JavaScript's help).
  function focusFirstError(root) {
    var field = root.querySelector(
      ".field.has-error input:not([type=hidden]), .field.has-error select, .field.has-error textarea"
    );
    var box = root.querySelector(".form-errors");
    var target = field || box;
    if (!target) { return false; }
    target.scrollIntoView({ block: "center" });
    if (!field) { box.tabIndex = -1; }
    target.focus({ preventScroll: true });
    return true;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 200;
    if (status !== 422 && status !== 409) { return; }
    var target = event.detail.target;
    if (!(target && target.isConnected && focusFirstError(target))) { focusFirstError(document); }
  });

  // Fields shown only when another field has a given value: data-show-if="role:secretary".
  function valueOf(form, name) {
    var controls = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < controls.length; i += 1) {
      var c = controls[i];
      if (c.type === "radio") { if (c.checked) { return c.value; } continue; }
      if (c.type === "checkbox") { return c.checked ? "on" : ""; }
      return c.value;
    }
    return "";
  }
  function applyShowIf(root) {
    root.querySelectorAll("[data-show-if]").forEach(function (el) {
      var form = el.form || el.closest("form");
      if (!form) { return; }
      var spec = el.getAttribute("data-show-if");
      var colon = spec.indexOf(":");
      var wanted = spec.slice(colon + 1).split(",");
      var show = wanted.indexOf(valueOf(form, spec.slice(0, colon))) >= 0;
      var group = el.closest(".field") || el;
      group.hidden = !show;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.form) { applyShowIf(event.target.form); }
  });
  document.addEventListener("htmx:afterSettle", function () { applyShowIf(document); });

  function ready() {
    applyShowIf(document);
    if (document.querySelector(".field.has-error, .form-errors")) { focusFirstError(document); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
