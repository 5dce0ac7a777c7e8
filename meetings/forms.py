from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.forms import StrippedCharsMixin, blank_ballot_field

from .models import AgendaItem, Attendance, Ballot, Guest, Meeting, Poll

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DT_FORMAT, **kwargs)


class MeetingForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "host_unit",
            "chairs",
            "secretary_name",
            "source",
            "notes",
        ]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "chairs": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = units
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DT_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("Thời gian kết thúc phải sau thời gian bắt đầu."))
        return cleaned


class GuestForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = Guest
        fields = ["name", "position", "organisation"]


class AgendaItemForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "duration_minutes", "speaker", "conclusion"]
        widgets = {"conclusion": forms.Textarea(attrs={"rows": 3})}

    def clean_duration_minutes(self):
        value = self.cleaned_data.get("duration_minutes")
        if value is not None and value > 24 * 60:
            raise forms.ValidationError(_("Thời lượng không quá 1440 phút."))
        return value


class AttendanceForm(StrippedCharsMixin, forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=Attendance.Status.choices)
    reason = forms.CharField(label=_("Lý do vắng"), max_length=255, required=False)
    delegates = forms.CharField(
        label=_("Đại biểu dự"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One form per row on the attendance page: ids must differ from row to row.
        unit = str(self.data.get("unit", "") if self.is_bound else self.initial.get("unit", ""))
        self.auto_id = f"att{unit if unit.isdigit() else ''}_%s"

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Attendance.Status.ABSENT
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Cần ghi lý do vắng mặt."))
        return cleaned


class CheckinForm(StrippedCharsMixin, forms.Form):
    code = forms.CharField(label=_("Mã điểm danh"), max_length=12)
    delegates = forms.CharField(
        label=_("Họ tên đại biểu dự"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng một người."),
    )


# The rule in words (issue 13): presets instead of "tử số / mẫu số"; "custom" shows the fields.
RULE_PRESETS = [
    ("valid", 1, 2, True),
    ("present", 1, 2, True),
    ("members", 1, 2, True),
    ("valid", 2, 3, False),
    ("present", 2, 3, False),
    ("members", 2, 3, False),
]
RULE_CUSTOM = "custom"


def rule_key(base: str, numerator: int, denominator: int, strict: bool) -> str:
    return f"{base}:{numerator}/{denominator}:{'gt' if strict else 'ge'}"


def rule_from_key(key: str) -> tuple[str, int, int, bool] | None:
    try:
        base, fraction, kind = key.split(":")
        numerator, denominator = (int(x) for x in fraction.split("/"))
    except ValueError:
        return None
    if (
        base not in Poll.Base.values
        or kind not in ("gt", "ge")
        or not 1 <= numerator <= denominator
    ):
        return None
    return base, numerator, denominator, kind == "gt"


def rule_choices(bloc=None) -> list[tuple[str, str]]:
    """The bloc's own recent rules first, then the usual ones, then «Khác»."""
    from .results import threshold_phrase

    seen, choices = set(), []
    if bloc is not None:
        used = (
            Poll.objects.filter(meeting__bloc_year__bloc=bloc)
            .exclude(mode=Poll.Mode.REPORTED)
            .order_by("-created_at")
            .values_list("base", "threshold_numerator", "threshold_denominator", "threshold_strict")
        )
        for rule in used[:20]:
            key = rule_key(*rule)
            if key not in seen and len(seen) < 3:
                seen.add(key)
                choices.append(
                    (key, _("%(rule)s (khối đã dùng)") % {"rule": threshold_phrase(*rule)})
                )
    for rule in RULE_PRESETS:
        key = rule_key(*rule)
        if key not in seen:
            seen.add(key)
            choices.append((key, threshold_phrase(*rule)))
    choices.append((RULE_CUSTOM, _("Khác: nhập tỷ lệ riêng")))
    return choices


CANDIDATE_FIELDS = ("seats", "max_marks", "max_rounds", "tie_break_rule")
# Which fields each kind of poll needs (the others are hidden by static/js/app.js).
CANDIDATE_KINDS = "award,leader,deputy"
KIND_FIELDS = {
    "award_title": "kind:award",
    "candidates": f"kind:{CANDIDATE_KINDS}",
    "seats": f"kind:{CANDIDATE_KINDS}",
    "max_marks": f"kind:{CANDIDATE_KINDS}",
    "allow_self_vote": f"kind:{CANDIDATE_KINDS}",
    "max_rounds": f"kind:{CANDIDATE_KINDS}",
    "tie_break_rule": f"kind:{CANDIDATE_KINDS}",
    "runoff_rule": f"kind:{CANDIDATE_KINDS}",
    "counting_committee": "mode:paper,secret",
    "base": f"rule:{RULE_CUSTOM}",
    "threshold_numerator": f"rule:{RULE_CUSTOM}",
    "threshold_denominator": f"rule:{RULE_CUSTOM}",
    "threshold_strict": f"rule:{RULE_CUSTOM}",
}


class PollForm(StrippedCharsMixin, forms.ModelForm):
    rule = forms.ChoiceField(
        label=_("Nguyên tắc trúng cử, được suy tôn / thông qua"),
        required=False,
        help_text=_("Ví dụ: trên 1/2 số phiếu hợp lệ. Chọn «Khác» để nhập tỷ lệ riêng."),
    )
    candidates = forms.ModelMultipleChoiceField(
        label=_("Ứng viên"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Với suy tôn danh hiệu: để trống để lấy danh sách đề cử của năm."),
    )
    blank_valid = blank_ballot_field()  # left out: the bloc's rule

    class Meta:
        model = Poll
        fields = [
            "kind",
            "title",
            "award_title",
            "mode",
            "seats",
            "max_marks",
            "base",
            "threshold_numerator",
            "threshold_denominator",
            "threshold_strict",
            "allow_self_vote",
            "basis",
            "blank_valid",
            "blank_basis",
            "max_rounds",
            "tie_break_rule",
            "runoff_rule",
            "counting_committee",
        ]
        widgets = {"counting_committee": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, units=None, award_titles=None, bloc=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rule_choices(bloc)
        if self.instance.pk:
            current = rule_key(
                self.instance.base,
                self.instance.threshold_numerator,
                self.instance.threshold_denominator,
                self.instance.threshold_strict,
            )
        else:
            current = self.fields["rule"].choices[0][0]
        known = {key for key, _label in self.fields["rule"].choices}
        self.fields["rule"].initial = current if current in known else RULE_CUSTOM
        for name in ("base", "threshold_numerator", "threshold_denominator", *CANDIDATE_FIELDS):
            self.fields[name].required = False
        for name, condition in KIND_FIELDS.items():
            self.fields[name].widget.attrs["data-show-if"] = condition
        self.order_fields(
            ["kind", "title", "award_title", "mode", "candidates", "seats", "max_marks", "rule"]
        )
        self.fields["runoff_rule"].required = False
        self.fields["candidates"].queryset = units
        self.fields["award_title"].queryset = award_titles
        if self.instance.pk:
            self.fields["candidates"].initial = [c.unit_id for c in self.instance.candidates.all()]

    def clean(self):
        cleaned = super().clean()
        rule = cleaned.pop("rule", "") or RULE_CUSTOM
        preset = rule_from_key(rule) if rule != RULE_CUSTOM else None
        if preset:
            (
                cleaned["base"],
                cleaned["threshold_numerator"],
                cleaned["threshold_denominator"],
                cleaned["threshold_strict"],
            ) = preset
        else:
            for name in ("base", "threshold_numerator", "threshold_denominator"):
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, _("Hãy nhập (hoặc chọn một nguyên tắc có sẵn)."))
        kind = cleaned.get("kind")
        for name in CANDIDATE_FIELDS:  # hidden for a motion: its defaults, not an error
            if cleaned.get(name) in (None, ""):
                if kind and kind != Poll.Kind.MOTION:
                    self.add_error(name, _("Trường này là bắt buộc."))
                else:
                    cleaned[name] = Poll._meta.get_field(name).get_default()
        if kind == Poll.Kind.AWARD and not cleaned.get("award_title"):
            self.add_error("award_title", _("Chọn danh hiệu cần suy tôn."))
        num, den = cleaned.get("threshold_numerator"), cleaned.get("threshold_denominator")
        if num and den and num > den:
            self.add_error("threshold_numerator", _("Tử số không được lớn hơn mẫu số."))
        seats, marks = cleaned.get("seats"), cleaned.get("max_marks")
        if kind == Poll.Kind.AWARD and seats and marks and marks > seats:
            self.add_error("max_marks", _("Số đánh dấu tối đa không được vượt số lượng cần chọn."))
        for name in (
            "seats",
            "max_marks",
            "threshold_numerator",
            "threshold_denominator",
            "max_rounds",
        ):
            if cleaned.get(name) is not None and cleaned[name] < 1:
                self.add_error(name, _("Phải lớn hơn hoặc bằng 1."))
        # Left out by the client: the poll's current value (for a new poll, the bloc's rule).
        for name in ("blank_valid", "runoff_rule"):
            if cleaned.get(name) in (None, ""):
                if self.instance.pk:
                    cleaned[name] = getattr(self.instance, name)
                else:
                    cleaned.pop(name, None)
        return cleaned


class BallotForm(forms.Form):
    """The voter's ballot: marks (or a motion choice), or an explicit blank ballot."""

    def __init__(self, *args, poll: Poll, candidates=(), choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poll.is_motion:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Ý kiến"),
                choices=Ballot.Choice.choices,
                widget=forms.RadioSelect,
                required=False,
            )
        else:
            if choices is None:
                choices = [(c.pk, c.label or c.unit.name) for c in candidates]
            self.fields["marks"] = forms.MultipleChoiceField(
                label=_("Đánh dấu tối đa %(n)s đơn vị") % {"n": poll.max_marks},
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.fields["blank"] = forms.BooleanField(
            label=_("Phiếu trắng (không chọn lựa chọn nào)"), required=False
        )
        self.poll = poll

    def clean_marks(self):
        marks = self.cleaned_data.get("marks") or []
        if len(marks) > self.poll.max_marks:
            raise forms.ValidationError(
                _("Chỉ được chọn tối đa %(n)s đơn vị.") % {"n": self.poll.max_marks}
            )
        return [int(m) for m in marks]

    def clean(self):
        cleaned = super().clean()
        chosen = bool(cleaned.get("marks") or cleaned.get("choice"))
        if self.errors:
            return cleaned
        if cleaned.get("blank") and chosen:
            raise forms.ValidationError(
                _(
                    "Phiếu trắng không được đánh dấu lựa chọn nào: bỏ dấu, hoặc bỏ chọn «Phiếu trắng»."
                )
            )
        if not cleaned.get("blank") and not chosen:
            raise forms.ValidationError(
                _("Phiếu chưa có lựa chọn nào. Nếu muốn bỏ phiếu trắng, hãy chọn «Phiếu trắng».")
            )
        return cleaned

    def chosen_labels(self) -> list[str]:
        """What the voter chose, as words, for the review step."""
        if self.cleaned_data.get("blank"):
            return []
        if self.poll.is_motion:
            return [str(Ballot.Choice(self.cleaned_data["choice"]).label)]
        labels = {str(key): label for key, label in self.fields["marks"].choices}
        return [str(labels[str(m)]) for m in self.cleaned_data["marks"]]


class CloseForm(forms.Form):
    confirm_low_turnout = forms.BooleanField(
        label=_("Tôi xác nhận kết thúc biểu quyết khi số đơn vị bỏ phiếu chưa đủ túc số."),
        required=False,
    )


class PaperBallotForm(BallotForm):
    invalid = forms.BooleanField(label=_("Phiếu không hợp lệ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blank"].label = _("Phiếu trắng")

    def clean_marks(self):
        # An over-marked paper ballot is entered as it is; the service asks to mark it invalid.
        return [int(m) for m in (self.cleaned_data.get("marks") or [])]

    def clean(self):
        # A paper ballot is entered as it was found: an unmarked one is blank, whether or not
        # the committee ticks «Phiếu trắng».
        return forms.Form.clean(self)


class PaperCountForm(StrippedCharsMixin, forms.Form):
    counting_committee = forms.CharField(
        label=_("Ban kiểm phiếu"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một thành viên: họ tên, chức vụ, đơn vị."),
    )
    ballots_issued = forms.IntegerField(label=_("Số phiếu phát ra"), min_value=0)
    ballots_returned = forms.IntegerField(label=_("Số phiếu thu về"), min_value=0)
    invalid = forms.IntegerField(label=_("Số phiếu không hợp lệ"), min_value=0, initial=0)
    blank = forms.IntegerField(
        label=_("Số phiếu trắng (hợp lệ, không đánh dấu)"), min_value=0, initial=0
    )

    def __init__(self, *args, poll: Poll, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        if poll.is_motion:
            for value, label in Ballot.Choice.choices:
                self.fields[f"v_{value}"] = forms.IntegerField(label=label, min_value=0, initial=0)
                self.keys.append((f"v_{value}", value))
        else:
            for c in candidates:
                self.fields[f"c_{c.pk}"] = forms.IntegerField(
                    label=_("Số phiếu bầu cho %(u)s") % {"u": c.unit.name}, min_value=0, initial=0
                )
                self.keys.append((f"c_{c.pk}", c.pk))

    def votes(self) -> dict:
        return {key: self.cleaned_data[name] for name, key in self.keys}


class TieBreakForm(StrippedCharsMixin, forms.Form):
    winners = forms.ModelMultipleChoiceField(
        label=_("Đơn vị được chọn"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    decided_by = forms.CharField(label=_("Người quyết định"), max_length=255)
    basis = forms.CharField(label=_("Căn cứ"), max_length=500)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winners"].queryset = candidates
        self.fields["winners"].label_from_instance = lambda c: c.unit.name


class ReportedForm(StrippedCharsMixin, forms.Form):
    basis = forms.CharField(
        label=_("Căn cứ (nguồn) của kết quả"),
        max_length=500,
        help_text=_("Ví dụ: Biên bản hội nghị; bản tin ngày …"),
    )
    decided_by = forms.CharField(
        label=_("Hình thức"), max_length=255, required=False, initial=_("Hội nghị thống nhất")
    )

    def __init__(self, *args, poll: Poll, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        if poll.is_motion:
            self.fields["adopted"] = forms.BooleanField(
                label=_("Nội dung được thông qua"), required=False
            )
        else:
            self.fields["winners"] = forms.ModelMultipleChoiceField(
                label=_("Đơn vị được chọn"),
                queryset=candidates,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields["winners"].label_from_instance = lambda c: c.unit.name
