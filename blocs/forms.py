from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from khoithidua.lib.formulas import FORMULA_REJECT
from khoithidua.lib.widgets import NameChoiceField, PlainSelect

from .models import Bloc, BlocYear, LeadershipTerm, Membership, Organizer, Unit


class StrippedCharsMixin:
    """Reject control characters and formula starts (they end up in PDFs and spreadsheets)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
                field.empty_label = _("— Chọn —")

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and any(
                (ord(c) < 32 and c not in "\r\n\t") or 0x7F <= ord(c) < 0xA0 for c in value
            ):
                self.add_error(name, _("Không được chứa ký tự điều khiển."))
            elif isinstance(value, str) and value.lstrip().startswith(FORMULA_REJECT):
                self.add_error(name, _("Không được bắt đầu bằng =, + hoặc @."))
        return cleaned


class UnitForm(StrippedCharsMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["organizer", "code", "name", "short_name", "head_title"]

    def __init__(self, *args, organizers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = (
            organizers if organizers is not None else Organizer.objects.none()
        )
        if self.instance.pk:
            # The name changes through "đổi tên" (with an effective date), not here.
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("Đổi tên bằng chức năng «Đổi tên» để giữ lịch sử.")
            self.fields["organizer"].disabled = True

    def clean(self):
        cleaned = super().clean()
        organizer, code = cleaned.get("organizer"), cleaned.get("code")
        if organizer and code:
            clash = Unit.objects.filter(organizer=organizer, code=code).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("code", _("Mã đơn vị «%(code)s» đã được dùng.") % {"code": code})
        return cleaned


class UnitRenameForm(StrippedCharsMixin, forms.Form):
    new_name = forms.CharField(label=_("Tên mới"), max_length=255)
    new_short_name = forms.CharField(label=_("Tên viết tắt mới"), max_length=80, required=False)
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"), widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.CharField(
        label=_("Căn cứ"),
        max_length=255,
        required=False,
        help_text=_("Ví dụ: Quyết định số …/QĐ-UBND ngày …"),
    )


class UnitMergeForm(StrippedCharsMixin, forms.Form):
    """Merge this unit into another: of its province, or of the province it merged into."""

    into = forms.ModelChoiceField(label=_("Hợp nhất vào đơn vị"), queryset=Unit.objects.none())
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"), widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        from .services import merge_targets

        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = merge_targets(unit).order_by("organizer__name", "name")
        self.fields["into"].label_from_instance = unit_choice_label
        if unit.organizer.merged_on:
            self.fields["effective_date"].initial = unit.organizer.merged_on
            self.fields["basis"].initial = unit.organizer.merge_basis


class UnitReceiveForm(StrippedCharsMixin, forms.Form):
    """The other direction: a unit of a merged province (or of this one) merges into this unit."""

    source = forms.ModelChoiceField(
        label=_("Đơn vị tiền thân (hợp nhất vào đơn vị này)"), queryset=Unit.objects.none()
    )
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Với đơn vị của tỉnh đã hợp nhất: ngày hợp nhất tỉnh, ví dụ 01/07/2025."),
    )
    basis = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        from .services import merge_sources

        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = merge_sources(unit).order_by("organizer__name", "name")
        self.fields["source"].label_from_instance = unit_choice_label
        merged = Organizer.objects.filter(merged_into_id=unit.organizer_id).first()
        if merged:
            self.fields["effective_date"].initial = merged.merged_on
            self.fields["basis"].initial = merged.merge_basis


class TableImportForm(forms.Form):
    """An organizer and a table (.xlsx or .csv) to import into it: the registry, the accounts."""

    organizer = forms.ModelChoiceField(label=_("Cơ quan tổ chức"), queryset=None)
    file = forms.FileField(
        label=_("Tệp danh mục (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, organizers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        ids = list(organizers.values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            self.fields["organizer"].initial = ids[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(mb)s MB).")
                % {"mb": settings.MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload


def blank_ballot_field() -> forms.TypedChoiceField:
    """«Phiếu trắng»: valid or not, for a bloc's rule and a poll's. A select, not a checkbox:
    a form (or a client) that leaves it out keeps the rule it had (None; meetings, #9)."""
    return forms.TypedChoiceField(
        label=_("Phiếu trắng"),
        choices=[("True", _("là phiếu hợp lệ")), ("False", _("là phiếu không hợp lệ"))],
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
    )


class BlocForm(StrippedCharsMixin, forms.ModelForm):
    blank_ballot_valid = blank_ballot_field()

    class Meta:
        model = Bloc
        fields = [
            "organizer",
            "code",
            "name",
            "short_name",
            "kind",
            "level",
            "description",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_basis",
            "rotation_policy",
            "max_vote_rounds",
            "tie_break_rule",
            "voting_basis",
            "blank_ballot_valid",
            "blank_ballot_basis",
            "runoff_rule",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    predecessor = forms.ModelChoiceField(
        label=_("Khối tiền thân"),
        queryset=Bloc.objects.none(),
        required=False,
        help_text=_("Khi khối được tổ chức lại, khối mới nối tiếp lịch sử của khối cũ."),
    )
    name_effective_date = forms.DateField(
        label=_("Tên mới dùng từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Bắt buộc khi đổi tên hoặc ký hiệu: các văn bản trước ngày này giữ tên cũ."),
    )

    def __init__(self, *args, organizers=None, **kwargs):
        super().__init__(*args, **kwargs)
        organizers = organizers if organizers is not None else Organizer.objects.none()
        if not self.instance.pk:
            # Nothing new for a province that no longer exists.
            organizers = organizers.filter(merged_into__isnull=True)
            del self.fields["name_effective_date"]
        self.fields["organizer"].queryset = organizers
        self.fields["predecessor"].queryset = (
            Bloc.objects.filter(organizer__in=organizers | _predecessor_organizers(organizers))
            .exclude(pk=self.instance.pk or 0)
            .select_related("organizer")
            .order_by("organizer__name", "name")
        )
        self.fields["predecessor"].label_from_instance = lambda b: f"{b.name} – {b.organizer.name}"
        if self.instance.pk:
            self.fields["organizer"].disabled = True
            first = self.instance.predecessions.order_by("effective_date").first()
            if first:
                self.fields["predecessor"].initial = first.predecessor_id
        # Voting defaults may be left out (older clients, imports): the model defaults apply.
        self.fields["max_vote_rounds"].required = False
        self.fields["tie_break_rule"].required = False
        self.fields["runoff_rule"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("max_vote_rounds") is None and "max_vote_rounds" not in self.errors:
            cleaned["max_vote_rounds"] = self.instance.max_vote_rounds or 2
        if not cleaned.get("tie_break_rule") and "tie_break_rule" not in self.errors:
            cleaned["tie_break_rule"] = self.instance.tie_break_rule or "leaders"
        if not cleaned.get("runoff_rule") and "runoff_rule" not in self.errors:
            cleaned["runoff_rule"] = self.instance.runoff_rule or "top_double"
        if cleaned.get("blank_ballot_valid") is None:
            cleaned["blank_ballot_valid"] = self.instance.blank_ballot_valid
        num, den = cleaned.get("quorum_numerator"), cleaned.get("quorum_denominator")
        if num is not None and den is not None:
            if den < 1 or num < 1:
                self.add_error("quorum_numerator", _("Tử số và mẫu số phải lớn hơn 0."))
            elif num > den:
                self.add_error(
                    "quorum_numerator",
                    _("Túc số không được vượt quá toàn bộ thành viên (tử số ≤ mẫu số)."),
                )
        rounds = cleaned.get("max_vote_rounds")
        if rounds is not None and not 1 <= rounds <= 10:
            self.add_error("max_vote_rounds", _("Số vòng bỏ phiếu tối đa phải từ 1 đến 10."))
        if self.instance.pk and "name_effective_date" in self.fields:
            renamed = {"name", "short_name"} & set(self.changed_data)
            if renamed and not cleaned.get("name_effective_date"):
                self.add_error(
                    "name_effective_date",
                    _("Cần ghi ngày hiệu lực khi đổi tên hoặc ký hiệu của khối."),
                )
        organizer, code = cleaned.get("organizer"), cleaned.get("code")
        if organizer and code:
            if (
                Bloc.objects.filter(organizer=organizer, code=code)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("code", _("Mã khối «%(code)s» đã được dùng.") % {"code": code})
        return cleaned


def _predecessor_organizers(organizers):
    """Organizers that merged into one of `organizers` (their blocs may be predecessors)."""
    return Organizer.objects.filter(merged_into__in=organizers)


class BlocYearForm(StrippedCharsMixin, forms.ModelForm):
    copy_members = forms.BooleanField(
        label=_("Sao chép thành viên từ năm trước"), required=False, initial=True
    )

    class Meta:
        model = BlocYear
        fields = ["year", "plan_reference", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, bloc: Bloc, **kwargs):
        super().__init__(*args, **kwargs)
        self.bloc = bloc
        if self.instance.pk:
            self.fields["year"].disabled = True
            del self.fields["copy_members"]
        else:
            last = bloc.years.order_by("-year").values_list("year", flat=True).first()
            self.fields["year"].initial = (last + 1) if last else dt.date.today().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year < 1945 or year > 2200:
            raise ValidationError(_("Năm không hợp lệ."))
        if not self.instance.pk and BlocYear.objects.filter(bloc=self.bloc, year=year).exists():
            raise ValidationError(_("Khối đã có năm thi đua %(year)s.") % {"year": year})
        return year


class MembershipAddForm(StrippedCharsMixin, forms.Form):
    unit = NameChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    joined_on = forms.DateField(
        label=_("Tham gia từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Để trống nếu tham gia cả năm."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        kwargs.setdefault("auto_id", "member_%s")  # unique ids: several forms share the page
        super().__init__(*args, **kwargs)
        self.bloc_year = bloc_year
        self.fields["unit"].queryset = (
            Unit.objects.active()
            .filter(organizer_id=bloc_year.bloc.organizer_id)
            .exclude(memberships__bloc_year=bloc_year)
            .order_by("name")
        )

    def clean_joined_on(self):
        value = self.cleaned_data.get("joined_on")
        if value and value.year != self.bloc_year.year:
            raise ValidationError(
                _("Ngày phải nằm trong năm %(year)s.") % {"year": self.bloc_year.year}
            )
        return value


class LeadershipForm(StrippedCharsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=LeadershipTerm.Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), widget=PlainSelect
    )
    method = forms.ChoiceField(
        label=_("Hình thức"),
        choices=[
            (LeadershipTerm.Method.APPOINTED, _("Phân công")),
            (LeadershipTerm.Method.ROTATION, _("Luân phiên theo kế hoạch")),
        ],
        initial=LeadershipTerm.Method.APPOINTED,
    )
    reason = forms.CharField(
        label=_("Lý do / căn cứ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi chọn khác với đề xuất luân phiên."),
    )

    def __init__(self, *args, bloc_year: BlocYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.bloc_year = bloc_year
        self.fields["unit"].queryset = (
            Unit.objects.filter(memberships__bloc_year=bloc_year)
            .prefetch_related("former_names")
            .order_by("name")
        )
        ref = bloc_year.reference_date
        self.fields["unit"].label_from_instance = lambda unit: unit.name_on(ref)


class RotationForm(forms.Form):
    """The rotation order as a list of unit ids, one select per position."""

    def __init__(self, *args, bloc: Bloc, units, current: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        choices = [("", "—")] + [(u.pk, u.name) for u in self.units]
        for i in range(len(self.units)):
            self.fields[f"pos_{i + 1}"] = forms.TypedChoiceField(
                label=_("Thứ %(n)s") % {"n": i + 1},
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                initial=current[i] if i < len(current) else None,
            )

    def clean(self):
        cleaned = super().clean()
        ids = [v for k, v in sorted(cleaned.items(), key=lambda kv: int(kv[0][4:])) if v]
        if len(ids) != len(set(ids)):
            raise ValidationError(
                _("Mỗi đơn vị chỉ được xuất hiện một lần trong thứ tự luân phiên.")
            )
        by_id = {u.pk: u for u in self.units}
        cleaned["ordered_units"] = [by_id[i] for i in ids]
        return cleaned


class MembershipDatesForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["joined_on", "left_on", "note"]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}),
            "left_on": forms.DateInput(attrs={"type": "date"}),
        }


# --- province mergers -------------------------------------------------------------------------


def unit_choice_label(unit: Unit) -> str:
    """A unit as a choice: its name, its organizer and its code (two provinces' «Công an tỉnh»)."""
    return _("%(name)s – %(organizer)s – mã %(code)s") % {
        "name": unit.name,
        "organizer": unit.organizer.name,
        "code": unit.code,
    }


class OrganizerMergeForm(StrippedCharsMixin, forms.Form):
    target = forms.ModelChoiceField(
        label=_("Hợp nhất vào (tỉnh, thành phố tiếp nhận)"), queryset=Organizer.objects.none()
    )
    effective_date = forms.DateField(
        label=_("Ngày hợp nhất"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=dt.date(2025, 7, 1),
    )
    basis = forms.CharField(
        label=_("Căn cứ"),
        max_length=255,
        initial="Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội",
        help_text=_("Số, ngày và cơ quan ban hành Nghị quyết về sắp xếp đơn vị hành chính."),
    )

    def __init__(self, *args, source: Organizer, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets.exclude(pk=source.pk).filter(
            merged_into__isnull=True
        )


class MergerReviewForm(forms.Form):
    """One choice per unit, bloc and role of the merged province (see blocs.merger)."""

    def __init__(self, *args, proposal, **kwargs):
        from . import merger as m

        super().__init__(*args, **kwargs)
        self.proposal = proposal
        target = proposal.merger.target
        self.unit_rows, self.bloc_rows, self.role_rows = [], [], []
        for row in proposal.units:
            name = f"unit_{row.obj.pk}"
            self.fields[name] = forms.ChoiceField(
                label=unit_choice_label(row.obj),
                choices=self._choices(row, target, m, kind="unit"),
                initial=self._initial(row, m),
            )
            self.fields[f"{name}_code"] = forms.CharField(
                label=_("hoặc mã đơn vị khác của %(org)s") % {"org": target.name},
                required=False,
                max_length=60,
            )
            self.unit_rows.append((row, self[name], self[f"{name}_code"]))
        for row in proposal.blocs:
            name = f"bloc_{row.obj.pk}"
            self.fields[name] = forms.ChoiceField(
                label=row.obj.name,
                choices=self._choices(row, target, m, kind="bloc"),
                initial=self._initial(row, m),
            )
            self.fields[f"{name}_code"] = forms.CharField(
                label=_("hoặc mã khối khác của %(org)s") % {"org": target.name},
                required=False,
                max_length=60,
            )
            self.bloc_rows.append((row, self[name], self[f"{name}_code"]))
        for row in proposal.roles:
            name = f"role_{row.obj.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(row.obj),
                choices=[
                    (m.MOVE, _("Chuyển sang %(org)s") % {"org": target.name}),
                    (m.KEEP, _("Giữ nguyên")),
                ],
                initial=m.MOVE,
            )
            self.role_rows.append((row, self[name]))

    @staticmethod
    def _initial(row, m) -> str:
        if row.default == m.LINK and row.default_target is not None:
            return f"{m.LINK}:{row.default_target.pk}"
        return row.default

    @staticmethod
    def _choices(row, target, m, *, kind: str) -> list[tuple[str, str]]:
        choices = []
        seen = set()
        if row.default == m.LINK and row.default_target is not None and not row.guesses:
            choices.append(
                (
                    f"{m.LINK}:{row.default_target.pk}",
                    _("Đã nối: %(name)s") % {"name": row.default_target.name},
                )
            )
            seen.add(row.default_target.pk)
        for obj, guess in row.guesses:
            if obj.pk in seen:
                continue
            seen.add(obj.pk)
            choices.append(
                (
                    f"{m.LINK}:{obj.pk}",
                    _("Nối vào %(name)s – mã %(code)s (%(reason)s)")
                    % {"name": obj.name, "code": obj.code, "reason": guess.label()},
                )
            )
        if kind == "unit":
            choices.append((m.NEW, _("Tạo đơn vị mới thuộc %(org)s") % {"org": target.name}))
            choices.append((m.NONE, _("Không có đơn vị kế tục (lưu trữ)")))
        else:
            choices.append((m.NEW, _("Tạo khối mới thuộc %(org)s") % {"org": target.name}))
            choices.append((m.NONE, _("Không có khối kế tục (lưu trữ)")))
        return choices

    def clean(self):
        from . import merger as m

        cleaned = super().clean()
        target = self.proposal.merger.target
        units = {
            u.code: u.pk for u in Unit.objects.filter(organizer=target, merged_into__isnull=True)
        }
        blocs = {b.code: b.pk for b in Bloc.objects.filter(organizer=target)}
        self.unit_choices, self.bloc_choices, self.role_choices = {}, {}, {}
        for rows, lookup, out, what in (
            (self.unit_rows, units, self.unit_choices, _("đơn vị")),
            (self.bloc_rows, blocs, self.bloc_choices, _("khối")),
        ):
            for row, bound, code_field in rows:
                value = cleaned.get(bound.name)
                code = (cleaned.get(code_field.name) or "").strip()
                if code:
                    if code not in lookup:
                        self.add_error(
                            code_field.name,
                            _("%(org)s không có %(what)s mã «%(code)s».")
                            % {"org": target.name, "what": what, "code": code},
                        )
                        continue
                    out[row.obj.pk] = m.Choice(m.LINK, lookup[code])
                elif value and value.startswith(f"{m.LINK}:"):
                    out[row.obj.pk] = m.Choice(m.LINK, int(value.split(":", 1)[1]))
                elif value in (m.NEW, m.NONE):
                    out[row.obj.pk] = m.Choice(value)
        for row, bound in self.role_rows:
            self.role_choices[row.obj.pk] = cleaned.get(bound.name) or m.KEEP
        return cleaned
