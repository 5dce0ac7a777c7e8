"""Writes vi/LC_MESSAGES/django.po: Vietnamese for Django's own strings that Django's vi
catalogue (last updated 2020–2021) lacks. Run: .venv/bin/python khoithidua/locale_vi/build_po.py
then msgfmt. Only Django's English msgids are here; the app's own strings are Vietnamese already.
"""

from pathlib import Path

T = {
    "Algerian Arabic": "Tiếng Ả Rập (Algeria)",
    "Central Kurdish (Sorani)": "Tiếng Kurd miền Trung (Sorani)",
    "Lower Sorbian": "Tiếng Hạ Sorbia",
    "Colombian Spanish": "Tiếng Tây Ban Nha (Colombia)",
    "Scottish Gaelic": "Tiếng Gael Scotland",
    "Upper Sorbian": "Tiếng Thượng Sorbia",
    "Haitian Creole": "Tiếng Creole Haiti",
    "Armenian": "Tiếng Armenia",
    "Igbo": "Tiếng Igbo",
    "Kabyle": "Tiếng Kabyle",
    "Kyrgyz": "Tiếng Kyrgyz",
    "Malay": "Tiếng Mã Lai",
    "Norwegian Bokmål": "Tiếng Na Uy (Bokmål)",
    "Tajik": "Tiếng Tajik",
    "Turkmen": "Tiếng Turkmen",
    "Uyghur": "Tiếng Duy Ngô Nhĩ",
    "Uzbek": "Tiếng Uzbek",
    "Messages": "Thông báo",
    "…": "…",
    "That page number is not an integer": "Số trang phải là số nguyên",
    "That page number is less than 1": "Số trang phải từ 1 trở lên",
    "That page contains no results": "Trang này không có kết quả nào",
    "Enter a valid domain name.": "Nhập tên miền hợp lệ.",
    "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.": (
        "Chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang (-) hoặc gạch dưới (_), "
        "không có khoảng trắng; ví dụ: cong-an-tinh."
    ),
    "Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens.": (
        "Chỉ gồm chữ cái, chữ số, dấu gạch ngang (-) hoặc gạch dưới (_), không có khoảng trắng."
    ),
    "Enter a valid %(protocol)s address.": "Nhập địa chỉ %(protocol)s hợp lệ.",
    "IPv4": "IPv4",
    "IPv6": "IPv6",
    "IPv4 or IPv6": "IPv4 hoặc IPv6",
    "Ensure this value is a multiple of step size %(limit_value)s.": (
        "Giá trị phải là bội số của %(limit_value)s."
    ),
    "Ensure this value is a multiple of step size %(limit_value)s, starting from %(offset)s, "
    "e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on.": (
        "Giá trị phải bắt đầu từ %(offset)s và tăng theo bước %(limit_value)s, ví dụ "
        "%(offset)s, %(valid_value1)s, %(valid_value2)s …"
    ),
    "File extension “%(extension)s” is not allowed. Allowed extensions are: "
    "%(allowed_extensions)s.": (
        "Không nhận tệp đuôi «%(extension)s». Chỉ nhận các đuôi: %(allowed_extensions)s."
    ),
    "Null characters are not allowed.": "Không được chứa ký tự rỗng (NUL).",
    "Constraint “%(name)s” is violated.": "Dữ liệu vi phạm ràng buộc «%(name)s».",
    "- Select an option -": "— Chọn —",
    "“%(value)s” value must be either True or False.": "«%(value)s» phải là Có hoặc Không.",
    "“%(value)s” value must be either True, False, or None.": (
        "«%(value)s» phải là Có, Không hoặc để trống."
    ),
    "String (unlimited)": "Chuỗi (không giới hạn độ dài)",
    "“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format.": (
        "«%(value)s» không đúng định dạng ngày; hãy nhập theo dạng năm-tháng-ngày, "
        "ví dụ 2025-12-05."
    ),
    "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date.": (
        "«%(value)s» đúng định dạng nhưng không phải là ngày có thật."
    ),
    "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD "
    "HH:MM[:ss[.uuuuuu]][TZ] format.": (
        "«%(value)s» không đúng định dạng ngày giờ; ví dụ 2025-12-05 08:30."
    ),
    "“%(value)s” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is "
    "an invalid date/time.": "«%(value)s» đúng định dạng nhưng không phải là ngày giờ có thật.",
    "“%(value)s” value must be a decimal number.": "«%(value)s» phải là một số (ví dụ 2,5).",
    "“%(value)s” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format.": (
        "«%(value)s» không đúng định dạng khoảng thời gian; ví dụ 1 02:30:00 (1 ngày 2 giờ 30 phút)."
    ),
    "Duration": "Khoảng thời gian",
    "“%(value)s” value must be a float.": "«%(value)s» phải là một số.",
    "“%(value)s” value must be an integer.": "«%(value)s» phải là số nguyên.",
    "“%(value)s” value must be either None, True or False.": (
        "«%(value)s» phải là Có, Không hoặc để trống."
    ),
    "Positive big integer": "Số nguyên dương lớn",
    "“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format.": (
        "«%(value)s» không đúng định dạng giờ; ví dụ 08:30."
    ),
    "“%(value)s” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time.": (
        "«%(value)s» đúng định dạng nhưng không phải là giờ có thật."
    ),
    "“%(value)s” is not a valid binary value.": "«%(value)s» không phải là dữ liệu nhị phân hợp lệ.",
    "“%(value)s” is not a valid UUID.": "«%(value)s» không phải là mã UUID hợp lệ.",
    "Universally unique identifier": "Mã định danh duy nhất (UUID)",
    "A JSON object": "Một đối tượng JSON",
    "Value must be valid JSON.": "Giá trị phải là JSON hợp lệ.",
    "%(model)s instance with %(field)s %(value)r is not a valid choice.": (
        "Không có %(model)s với %(field)s %(value)r để chọn."
    ),
    "%(from)s-%(to)s relationship": "Quan hệ %(from)s – %(to)s",
    "%(from)s-%(to)s relationships": "Các quan hệ %(from)s – %(to)s",
    "Enter a valid duration.": "Nhập khoảng thời gian hợp lệ.",
    "The number of days must be between {min_days} and {max_days}.": (
        "Số ngày phải từ {min_days} đến {max_days}."
    ),
    "Enter a complete value.": "Hãy nhập đầy đủ giá trị.",
    "Enter a valid UUID.": "Nhập mã UUID hợp lệ.",
    "Enter a valid JSON.": "Nhập JSON hợp lệ.",
    "ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. "
    "You may need to file a bug report if the issue persists.": (
        "Dữ liệu quản lý của biểu mẫu bị thiếu hoặc đã bị thay đổi. Thiếu các trường: "
        "%(field_names)s. Hãy tải lại trang; nếu vẫn lỗi, xin báo cho quản trị viên."
    ),
    "The inline value did not match the parent instance.": (
        "Giá trị của dòng con không khớp với bản ghi chính."
    ),
    "“%(pk)s” is not a valid value.": "«%(pk)s» không phải là giá trị hợp lệ.",
    "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be "
    "ambiguous or it may not exist.": (
        "Không hiểu được thời điểm %(datetime)s theo múi giờ %(current_timezone)s: "
        "có thể thời điểm này không tồn tại hoặc không rõ ràng."
    ),
    "No %s matches the given query.": "Không tìm thấy %s phù hợp.",
    ("Task", "Ready"): "Sẵn sàng",
    ("Task", "Running"): "Đang chạy",
    ("Task", "Failed"): "Thất bại",
    ("Task", "Successful"): "Thành công",
    "This is not a valid IPv6 address.": "Đây không phải là địa chỉ IPv6 hợp lệ.",
    ("String to return when truncating text", "%(truncated_text)s…"): "%(truncated_text)s…",
    "Forbidden": "Không được phép",
    "CSRF verification failed. Request aborted.": (
        "Biểu mẫu đã hết hiệu lực bảo mật (CSRF); yêu cầu bị từ chối."
    ),
    "You are seeing this message because this HTTPS site requires a “Referer header” to be sent "
    "by your web browser, but none was sent. This header is required for security reasons, to "
    "ensure that your browser is not being hijacked by third parties.": (
        "Trang HTTPS này cần trình duyệt gửi kèm tiêu đề «Referer» nhưng trình duyệt đã không gửi. "
        "Tiêu đề này cần để bảo đảm trình duyệt của bạn không bị bên thứ ba lợi dụng."
    ),
    "If you have configured your browser to disable “Referer” headers, please re-enable them, at "
    "least for this site, or for HTTPS connections, or for “same-origin” requests.": (
        "Nếu bạn đã tắt tiêu đề «Referer» trong trình duyệt, hãy bật lại, ít nhất cho trang này, "
        "cho kết nối HTTPS hoặc cho các yêu cầu «same-origin»."
    ),
    'If you are using the <meta name="referrer" content="no-referrer"> tag or including the '
    "“Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the "
    "“Referer” header to do strict referer checking. If you’re concerned about privacy, use "
    'alternatives like <a rel="noreferrer" …> for links to third-party sites.': (
        'Nếu bạn dùng thẻ <meta name="referrer" content="no-referrer"> hoặc tiêu đề '
        "«Referrer-Policy: no-referrer», hãy bỏ chúng: cơ chế chống giả mạo yêu cầu (CSRF) cần "
        "tiêu đề «Referer». Nếu lo ngại về quyền riêng tư, hãy dùng "
        '<a rel="noreferrer" …> cho liên kết tới trang của bên thứ ba.'
    ),
    "You are seeing this message because this site requires a CSRF cookie when submitting forms. "
    "This cookie is required for security reasons, to ensure that your browser is not being "
    "hijacked by third parties.": (
        "Trang này cần cookie CSRF khi gửi biểu mẫu. Cookie này cần để bảo đảm trình duyệt của bạn "
        "không bị bên thứ ba lợi dụng."
    ),
    "If you have configured your browser to disable cookies, please re-enable them, at least for "
    "this site, or for “same-origin” requests.": (
        "Nếu bạn đã tắt cookie trong trình duyệt, hãy bật lại, ít nhất cho trang này hoặc cho các "
        "yêu cầu «same-origin»."
    ),
    "More information is available with DEBUG=True.": "Bật DEBUG=True để xem thêm thông tin.",
    "Date out of range": "Ngày nằm ngoài phạm vi cho phép",
    "Invalid date string “%(datestr)s” given format “%(format)s”": (
        "Chuỗi ngày «%(datestr)s» không khớp định dạng «%(format)s»"
    ),
    "Page is not “last”, nor can it be converted to an int.": (
        "Trang phải là «last» hoặc một số nguyên."
    ),
    "Empty list and “%(class_name)s.allow_empty” is False.": (
        "Danh sách trống và «%(class_name)s.allow_empty» là False."
    ),
    "“%(path)s” does not exist": "«%(path)s» không tồn tại",
    "The install worked successfully! Congratulations!": "Cài đặt thành công! Xin chúc mừng!",
    'View <a href="https://docs.djangoproject.com/en/%(version)s/releases/" target="_blank" '
    'rel="noopener">release notes</a> for Django %(version)s': (
        'Xem <a href="https://docs.djangoproject.com/en/%(version)s/releases/" target="_blank" '
        'rel="noopener">ghi chú phát hành</a> của Django %(version)s'
    ),
    'You are seeing this page because <a href="https://docs.djangoproject.com/en/%(version)s/'
    'ref/settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> is in your settings file '
    "and you have not configured any URLs.": (
        'Bạn thấy trang này vì tệp cấu hình có <a href="https://docs.djangoproject.com/en/'
        '%(version)s/ref/settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> và chưa '
        "khai báo địa chỉ URL nào."
    ),
    "Django Documentation": "Tài liệu Django",
    "Topics, references, &amp; how-to’s": "Chủ đề, tra cứu và hướng dẫn",
    "Tutorial: A Polling App": "Bài hướng dẫn: ứng dụng bình chọn",
    "Get started with Django": "Bắt đầu với Django",
    "Django Community": "Cộng đồng Django",
    "Connect, get help, or contribute": "Kết nối, hỏi đáp hoặc đóng góp",
    # Django's vi catalogue has these, but without the format a user needs:
    "Enter a valid email address.": (
        "Địa chỉ email không hợp lệ; hãy nhập dạng ten@coquan.gov.vn."
    ),
    "Enter a valid date.": "Ngày không hợp lệ; hãy nhập dạng ngày/tháng/năm, ví dụ 05/12/2025.",
    "Enter a valid date/time.": (
        "Ngày giờ không hợp lệ; hãy nhập dạng ngày/tháng/năm giờ:phút, ví dụ 05/12/2025 08:30."
    ),
    "Enter a valid time.": "Giờ không hợp lệ; hãy nhập dạng giờ:phút, ví dụ 08:30.",
    "Enter a whole number.": "Hãy nhập một số nguyên, ví dụ 12.",
    "Enter a number.": "Hãy nhập một số, ví dụ 12 hoặc 2,5.",
    # admin
    "Select this object for an action - {}": "Chọn đối tượng này để thao tác – {}",
    'The app "%s" could not be found.': "Không tìm thấy ứng dụng «%s».",
    ", ": ", ",
    "Run": "Thực hiện",
    "Breadcrumbs": "Vị trí",
    "Model name": "Tên loại dữ liệu",
    "Add link": "Liên kết thêm mới",
    "Change or view list link": "Liên kết sửa hoặc xem danh sách",
    "After you’ve created a user, you’ll be able to edit more user options.": (
        "Sau khi tạo người dùng, bạn sẽ sửa được thêm các thông tin khác."
    ),
    "Error:": "Lỗi:",
    "Set password": "Đặt mật khẩu",
    "This action will <strong>enable</strong> password-based authentication for this user.": (
        "Thao tác này sẽ <strong>bật</strong> đăng nhập bằng mật khẩu cho người dùng này."
    ),
    "Disable password-based authentication": "Tắt đăng nhập bằng mật khẩu",
    "Enable password-based authentication": "Bật đăng nhập bằng mật khẩu",
    "Skip to main content": "Bỏ qua, tới nội dung chính",
    "Hide counts": "Ẩn số lượng",
    "Show counts": "Hiện số lượng",
    "Toggle theme (current theme: auto)": "Đổi giao diện (hiện tại: tự động)",
    "Toggle theme (current theme: light)": "Đổi giao diện (hiện tại: sáng)",
    "Toggle theme (current theme: dark)": "Đổi giao diện (hiện tại: tối)",
    "Filter by %(field_name)s": "Lọc theo %(field_name)s",
    "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related objects, "
    "but your account doesn't have permission to delete the following types of objects:": (
        "Xoá %(object_name)s «%(escaped_object)s» sẽ xoá cả các dữ liệu liên quan, nhưng tài khoản "
        "của bạn không có quyền xoá các loại dữ liệu sau:"
    ),
    "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following "
    "protected related objects:": (
        "Muốn xoá %(object_name)s «%(escaped_object)s» thì phải xoá các dữ liệu liên quan được bảo "
        "vệ sau:"
    ),
    "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the "
    "following related items will be deleted:": (
        "Bạn có chắc muốn xoá %(object_name)s «%(escaped_object)s»? Tất cả dữ liệu liên quan sau "
        "đây cũng sẽ bị xoá:"
    ),
    "Added:": "Đã thêm:",
    "Changed:": "Đã sửa:",
    "Deleted:": "Đã xoá:",
    "Forgotten your login credentials?": "Quên thông tin đăng nhập?",
    "Toggle navigation": "Ẩn/hiện thanh điều hướng",
    "Sidebar": "Thanh bên",
    "Filter navigation items": "Lọc mục điều hướng",
    "Pagination %(name)s entries": "Phân trang: %(name)s mục",
    "Pagination %(name)s": "Phân trang %(name)s",
    "Search %(name)s": "Tìm %(name)s",
    "View selected %(model)s": "Xem %(model)s đã chọn",
    "Logout": "Đăng xuất",
    "In case you’ve forgotten, you are:": "Bạn đang đăng nhập với tên:",
    "Select all objects on this page for an action": "Chọn mọi đối tượng trên trang này để thao tác",
    # auth
    "Conflicting form data submitted. Please try again.": (
        "Dữ liệu gửi lên mâu thuẫn nhau. Hãy thử lại."
    ),
    "Password-based authentication was disabled.": "Đã tắt đăng nhập bằng mật khẩu.",
    "Set password: %s": "Đặt mật khẩu: %s",
    "Reset password": "Đặt lại mật khẩu",
    "Whether the user will be able to authenticate using a password or not. If disabled, they "
    "may still be able to authenticate using other backends, such as Single Sign-On or LDAP.": (
        "Người dùng có đăng nhập được bằng mật khẩu hay không. Khi tắt, họ vẫn có thể đăng nhập "
        "bằng cách khác như đăng nhập một lần (SSO) hoặc LDAP."
    ),
    "Password-based authentication": "Đăng nhập bằng mật khẩu",
    "Enabled": "Bật",
    "Disabled": "Tắt",
    "Raw passwords are not stored, so there is no way to see the user’s password.": (
        "Mật khẩu không được lưu ở dạng gốc nên không thể xem mật khẩu của người dùng."
    ),
    "Enable password-based authentication for this user by setting a password.": (
        "Đặt mật khẩu để bật đăng nhập bằng mật khẩu cho người dùng này."
    ),
    "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase "
    "A-Z letters, numbers, and @/./+/-/_ characters.": (
        "Tên đăng nhập chỉ gồm chữ cái không dấu (a-z, A-Z), chữ số và các ký tự @ . + - _."
    ),
    # contenttypes, sessions
    "Content type %(ct_id)s object %(obj_id)s doesn’t exist": (
        "Không có đối tượng %(obj_id)s thuộc loại %(ct_id)s"
    ),
    "%(ct_name)s objects don’t have a get_absolute_url() method": (
        "Đối tượng %(ct_name)s không có phương thức get_absolute_url()"
    ),
    "Sessions": "Phiên đăng nhập",
}

PLURALS = {
    "Please submit at most %(num)d form.": "Hãy gửi nhiều nhất %(num)d biểu mẫu.",
    "Please submit at least %(num)d form.": "Hãy gửi ít nhất %(num)d biểu mẫu.",
    "%(num)d year": "%(num)d năm",
    "%(num)d month": "%(num)d tháng",
    "%(num)d week": "%(num)d tuần",
    "%(num)d day": "%(num)d ngày",
    "%(num)d hour": "%(num)d giờ",
    "%(num)d minute": "%(num)d phút",
    "…and %(count)d more object.": "… và %(count)d đối tượng khác.",
    "entry": "mục",
    "This password is too short. It must contain at least %d character.": (
        "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất %d ký tự."
    ),
}
PLURAL_IDS = {
    "Please submit at most %(num)d form.": "Please submit at most %(num)d forms.",
    "Please submit at least %(num)d form.": "Please submit at least %(num)d forms.",
    "%(num)d year": "%(num)d years",
    "%(num)d month": "%(num)d months",
    "%(num)d week": "%(num)d weeks",
    "%(num)d day": "%(num)d days",
    "%(num)d hour": "%(num)d hours",
    "%(num)d minute": "%(num)d minutes",
    "…and %(count)d more object.": "…and %(count)d more objects.",
    "entry": "entries",
    "This password is too short. It must contain at least %d character.": (
        "This password is too short. It must contain at least %d characters."
    ),
}


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    out = [
        "# Vietnamese for Django's own strings missing from Django's vi catalogue.",
        "# Generated by build_po.py (edit there).",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: khoithidua\\n"',
        '"PO-Revision-Date: 2026-11-30 00:00+0700\\n"',
        '"Last-Translator: khoithidua\\n"',
        '"Language-Team: Vietnamese\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        '"Language: vi\\n"',
        '"Plural-Forms: nplurals=1; plural=0;\\n"',
        "",
    ]
    for key, value in T.items():
        ctx, msgid = key if isinstance(key, tuple) else (None, key)
        if ctx:
            out.append(f"msgctxt {q(ctx)}")
        out += [f"msgid {q(msgid)}", f"msgstr {q(value)}", ""]
    for msgid, value in PLURALS.items():
        out += [
            f"msgid {q(msgid)}",
            f"msgid_plural {q(PLURAL_IDS[msgid])}",
            f"msgstr[0] {q(value)}",
            "",
        ]
    target = Path(__file__).parent / "vi" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
