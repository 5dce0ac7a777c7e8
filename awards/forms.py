from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.forms import StrippedCharsMixin
from blocs.models import BlocYear, Unit

from .models import (
    Award,
    AwardQuota,
    AwardTitle,
    Criterion,
    Deadline,
    Score,
    ScoringScheme,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def member_units(bloc_year: BlocYear):
    return Unit.objects.members_of(bloc_year).order_by("name")


def titles_for(bloc_year: BlocYear):
    return AwardTitle.objects.for_organizer(bloc_year.bloc.organizer_id).order_by("rank", "name")


class QuotaForm(StrippedCharsMixin, forms.Form):
    award_title = forms.ModelChoiceField(label=_("Danh hiệu"), queryset=AwardTitle.objects.none())
    max_count = forms.IntegerField(label=_("Số tập thể tối đa"), min_value=0, max_value=1000)
    max_individuals = forms.IntegerField(
        label=_("Số cá nhân tối đa"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("Để trống nếu không giới hạn."),
    )
    eligibility = forms.ChoiceField(
        label=_("Điều kiện đề cử"), choices=AwardQuota.Eligibility.choices
    )
    top_n = forms.IntegerField(label=_("N (xếp hạng)"), min_value=1, max_value=200, required=False)
    basis = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        kwargs.setdefault("auto_id", "quota_%s")  # several forms share the awards page
        super().__init__(*args, **kwargs)
        self.fields["award_title"].queryset = titles_for(bloc_year)


class NominationAddForm(StrippedCharsMixin, forms.Form):
    award_title = forms.ModelChoiceField(label=_("Danh hiệu"), queryset=AwardTitle.objects.none())
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    person_name = forms.CharField(
        label=_("Họ và tên (nếu đề cử cá nhân)"), max_length=200, required=False
    )
    person_position = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    reason = forms.CharField(label=_("Lý do bổ sung"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        kwargs.setdefault("auto_id", "nom_%s")  # unique ids: several forms share the page
        super().__init__(*args, **kwargs)
        self.fields["award_title"].queryset = titles_for(bloc_year)
        self.fields["unit"].queryset = member_units(bloc_year)


class ReasonForm(StrippedCharsMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class AwardForm(StrippedCharsMixin, forms.Form):
    award_title = forms.ModelChoiceField(
        label=_("Danh hiệu, hình thức"), queryset=AwardTitle.objects.none()
    )
    unit = forms.ModelChoiceField(label=_("Đơn vị thành viên"), queryset=Unit.objects.none())
    collective_name = forms.CharField(
        label=_("Tập thể trực thuộc (nếu có)"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: Phòng Kỹ thuật nghiệp vụ. Để trống nếu khen thưởng cho chính đơn vị."),
    )
    person_name = forms.CharField(
        label=_("Họ và tên (nếu khen thưởng cá nhân)"), max_length=200, required=False
    )
    person_position = forms.CharField(label=_("Chức vụ, cấp bậc"), max_length=200, required=False)
    source_label = forms.CharField(label=_("Căn cứ đề nghị"), max_length=255, required=False)
    proposed_on = forms.DateField(label=_("Ngày đề nghị"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        kwargs.setdefault("auto_id", "award_%s")  # unique ids: several forms share the page
        super().__init__(*args, **kwargs)
        self.fields["award_title"].queryset = titles_for(bloc_year)
        self.fields["unit"].queryset = member_units(bloc_year)


class DecisionForm(StrippedCharsMixin, forms.Form):
    awards = forms.ModelMultipleChoiceField(
        label=_("Các đề nghị được quyết định"),
        queryset=Award.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    decision_number = forms.CharField(
        label=_("Số quyết định"), max_length=100, help_text=_("Ví dụ: 123/QĐ-UBND")
    )
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    decision_issuer = forms.CharField(
        label=_("Cơ quan, người ký"), max_length=255, help_text=_("Ví dụ: Chủ tịch UBND tỉnh")
    )

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        kwargs.setdefault("auto_id", "decision_%s")  # unique ids: several forms share the page
        super().__init__(*args, **kwargs)
        self.fields["awards"].queryset = (
            Award.objects.filter(bloc_year=bloc_year, status=Award.Status.PROPOSED)
            .select_related("award_title", "unit")
            .order_by("award_title__rank", "unit__name", "person_name")
        )
        self.fields["awards"].label_from_instance = lambda a: (
            f"{a.award_title.short_name or a.award_title.name}: {a.recipient_label}"
        )


class AwardTitleForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = AwardTitle
        fields = [
            "organizer",
            "code",
            "name",
            "short_name",
            "kind",
            "level",
            "recipient",
            "voting_required",
            "legal_basis",
            "prize_coefficient",
            "prize_basis",
            "effective_from",
            "rank",
        ]
        widgets = {"effective_from": DATE}

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        self.fields["organizer"].required = True
        self.fields["organizer"].label = _("Cơ quan tổ chức bổ sung")
        self.fields["legal_basis"].required = True


class CovenantForm(StrippedCharsMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=255)
    plan_reference = forms.CharField(
        label=_("Kế hoạch"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: Kế hoạch số 238/KH-KNC ngày 02/3/2022"),
    )
    content = forms.CharField(
        label=_("Nội dung thi đua"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class TargetForm(StrippedCharsMixin, forms.Form):
    text = forms.CharField(label=_("Chỉ tiêu"), widget=forms.Textarea(attrs={"rows": 2}))
    measurable = forms.BooleanField(label=_("Đo được"), required=False)
    target_value = forms.DecimalField(
        label=_("Giá trị"), max_digits=12, decimal_places=2, required=False
    )
    measure_unit = forms.CharField(label=_("Đơn vị tính"), max_length=50, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("measurable") and cleaned.get("target_value") is None:
            self.add_error("target_value", _("Chỉ tiêu đo được cần có giá trị."))
        return cleaned


def _one_unit_preselected(field: forms.ModelChoiceField, units) -> None:
    """A delegate of one unit does not pick it from a one-option list: it is chosen already."""
    field.queryset = units
    first_two = list(units[:2])
    if len(first_two) == 1:
        field.empty_label = None
        field.initial = first_two[0].pk


class SignatureForm(StrippedCharsMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    representative_name = forms.CharField(label=_("Họ tên người ký"), max_length=200)
    representative_position = forms.CharField(
        label=_("Chức vụ"), max_length=200, help_text=_("Ví dụ: Chánh Thanh tra tỉnh")
    )
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DATE)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        _one_unit_preselected(self.fields["unit"], units)
        if not self.is_bound:
            self.initial.setdefault("signed_on", timezone.localdate())


class ReviseForm(StrippedCharsMixin, forms.Form):
    change_note = forms.CharField(
        label=_("Nội dung thay đổi"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RegistrationForm(StrippedCharsMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    titles = forms.ModelMultipleChoiceField(
        label=_("Danh hiệu đăng ký"),
        queryset=AwardTitle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    commitments = forms.CharField(
        label=_("Nội dung cam kết"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    registered_on = forms.DateField(label=_("Ngày đăng ký"), widget=DATE)

    def __init__(self, *args, bloc_year: BlocYear, units, **kwargs):
        super().__init__(*args, **kwargs)
        _one_unit_preselected(self.fields["unit"], units)
        self.fields["titles"].queryset = titles_for(bloc_year).exclude(
            recipient=AwardTitle.Recipient.INDIVIDUAL
        )
        if not self.is_bound:
            self.initial.setdefault("registered_on", timezone.localdate())


class SchemeForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = ScoringScheme
        fields = ["total_scale", "bonus_cap", "method", "trim_count", "tie_break", "basis"]


class CriterionForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "parent",
            "code",
            "title",
            "kind",
            "max_score",
            "target_value",
            "target_unit",
            "guidance",
            "position",
        ]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2}), "title": forms.TextInput()}

    def __init__(self, *args, scheme: ScoringScheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = scheme.criteria.filter(kind=Criterion.Kind.GROUP).order_by(
            "position", "id"
        )
        self.fields["parent"].help_text = _("Để trống khi thêm nhóm tiêu chí.")
        self.fields["position"].required = False
        self.fields["max_score"].required = False


class SheetForm(forms.Form):
    """One row of inputs per criterion. Modes: self, review, cross, explain."""

    def __init__(self, *args, scores: list[Score], mode: str, cross: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.scores = scores
        cross = cross or {}
        for s in scores:
            c = s.criterion
            name = str(s.criterion_id)
            if mode == "self":
                if c.kind == Criterion.Kind.TARGET:
                    self.fields[f"a{name}"] = forms.DecimalField(
                        label=_("Thực hiện"),
                        required=False,
                        max_digits=12,
                        decimal_places=2,
                        min_value=0,
                        initial=s.actual_value,
                    )
                elif c.kind == Criterion.Kind.YES_NO:
                    self.fields[f"v{name}"] = forms.TypedChoiceField(
                        label=_("Đạt"),
                        required=False,
                        coerce=Decimal,
                        empty_value=None,
                        choices=[("", "—"), (str(c.max_score), _("Đạt")), ("0", _("Không đạt"))],
                        initial=str(s.self_value) if s.self_value is not None else "",
                    )
                else:
                    self.fields[f"v{name}"] = _score_field(s, s.self_value)
                self.fields[f"e{name}"] = forms.CharField(
                    label=_("Minh chứng"),
                    required=False,
                    initial=s.evidence,
                    widget=forms.Textarea(attrs={"rows": 1}),
                )
            elif mode in ("review", "cross"):
                current = cross.get(s.pk) if mode == "cross" else None
                initial = (
                    (current.value if current else s.self_value)
                    if mode == "cross"
                    else (s.review_value if s.review_value is not None else s.self_value)
                )
                self.fields[f"v{name}"] = _score_field(s, initial)
                reason = (current.reason if current else "") if mode == "cross" else s.review_reason
                self.fields[f"r{name}"] = forms.CharField(
                    label=_("Lý do điều chỉnh"),
                    required=False,
                    initial=reason,
                    widget=forms.Textarea(attrs={"rows": 1}),
                )
            elif mode == "explain":
                self.fields[f"x{name}"] = forms.CharField(
                    label=_("Giải trình"),
                    required=False,
                    initial=s.explanation,
                    widget=forms.Textarea(attrs={"rows": 1}),
                )

    def rows(self):
        for s in self.scores:
            name = str(s.criterion_id)
            yield (
                s,
                [
                    self[n]
                    for n in (f"a{name}", f"v{name}", f"e{name}", f"r{name}", f"x{name}")
                    if n in self.fields
                ],
            )

    def entries(self) -> dict:
        data = self.cleaned_data
        out = {}
        for s in self.scores:
            name = str(s.criterion_id)
            if self.mode == "self":
                out[s.criterion_id] = {
                    "value": data.get(f"v{name}"),
                    "actual": data.get(f"a{name}"),
                    "evidence": data.get(f"e{name}", ""),
                }
            elif self.mode in ("review", "cross"):
                out[s.criterion_id] = {
                    "value": data.get(f"v{name}"),
                    "reason": data.get(f"r{name}", ""),
                }
            elif self.mode == "explain":
                out[s.criterion_id] = data.get(f"x{name}", "")
        return out


def _number(value) -> str:
    """−5.00 → "−5", 2.50 → "2,5": the way a score is written on paper."""
    text = format(Decimal(value).normalize(), "f").replace(".", ",")
    return text.replace("-", "−")


def _score_field(score: Score, initial) -> forms.DecimalField:
    # Bounds are checked by the service with a message naming the criterion; the browser gets
    # min/max hints only.
    kind = score.criterion.kind
    if kind == Criterion.Kind.PENALTY:
        label = _("Điểm trừ: số âm, từ %(min)s đến 0") % {"min": _number(score.min_value)}
    elif kind == Criterion.Kind.BONUS:
        label = _("Điểm cộng: từ 0 đến %(max)s") % {"max": _number(score.max_value)}
    else:
        label = _("Điểm (tối đa %(max)s)") % {"max": _number(score.max_value)}
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=6,
        decimal_places=2,
        initial=initial,
        widget=forms.NumberInput(
            attrs={"step": "0.25", "min": score.min_value, "max": score.max_value}
        ),
    )


class DeadlineForm(StrippedCharsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=Deadline.Kind.choices)
    label = forms.CharField(label=_("Nội dung"), max_length=255, required=False)
    due_on = forms.DateField(label=_("Hạn"), widget=DATE)
    basis = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)
    done_on = forms.DateField(label=_("Ngày hoàn thành (nếu đã xong)"), required=False, widget=DATE)


class ReportFilterForm(forms.Form):
    organizer = forms.TypedChoiceField(
        label=_("Tỉnh / cơ quan tổ chức"), required=False, coerce=int, empty_value=None
    )
    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int, empty_value=None)
    title = forms.TypedChoiceField(
        label=_("Danh hiệu"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    q = forms.CharField(label=_("Đơn vị, cá nhân"), required=False, max_length=100)

    def __init__(self, *args, organizers, titles, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = dt.date.today().year
        self.fields["organizer"].choices = [("", _("Tất cả"))] + [
            (o.pk, o.name) for o in organizers
        ]
        self.fields["year"].choices = [("", _("Tất cả"))] + [
            (y, y) for y in range(this_year + 1, this_year - 15, -1)
        ]
        self.fields["title"].choices = [("", _("Tất cả"))] + [(t.pk, t.name) for t in titles]
        self.fields["status"].choices = [("", _("Tất cả"))] + list(Award.Status.choices)
