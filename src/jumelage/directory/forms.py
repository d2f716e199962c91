"""Forms of the directory pages. They validate and present; writing goes through services."""

from collections.abc import Iterable

from django import forms
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from jumelage.directory import identifiers
from jumelage.directory.models import Organisation, Theme
from jumelage.directory.textsearch import strip_accents
from jumelage.matchmaking.engine.geo import WORD_COUNTRY

# Fields a representative may change on their own organisation's profile.
REPRESENTATIVE_FIELDS = [
    "tagline_fr",
    "description_fr",
    "description_nl",
    "description_en",
    "website",
    "street",
    "postcode",
    "city",
    "region",
    "country",
    "founding_year",
    "size_band",
    "stage",
    "themes",
    "enterprise_number",
    "siren",
    "vat_number",
]
# Fields only ecosystem/node staff and platform admins may change.
STAFF_FIELDS = ["name", "kind", "published"]


def formfield(db_field, **kwargs):
    """Meta.formfield_callback of our ModelForms: web addresses typed without a scheme get https://."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


def theme_paths(themes: Iterable[Theme] | None = None) -> dict[int, str]:
    """Full path ('Smart city › Mobility') of each theme, by id, in the current language, from one query.

    With `themes`, only those are returned (their ancestors are still read from the same single query)."""
    every = {t.pk: t for t in Theme.objects.only("pk", "parent_id", "label_fr", "label_nl", "label_en")}
    wanted = [t.pk for t in themes] if themes is not None else list(every)
    paths: dict[int, str] = {}
    for pk in wanted:
        parts, node, seen = [], every.get(pk), set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            parts.append(node.label)
            node = every.get(node.parent_id)
        paths[pk] = " › ".join(reversed(parts))
    return paths


def country_code(value: str | None) -> str:
    """The ISO two-letter code of a country typed as a code ("be") or a name in English, French, Dutch
    or German ("Belgium", "Belgique", "België"); a clear error otherwise."""
    value = (value or "").strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    code = WORD_COUNTRY.get(strip_accents(value).casefold())
    if code is None:
        raise forms.ValidationError(_("Enter the country as a two-letter code, e.g. BE or FR."))
    return code


class _PathSortedIterator(ModelChoiceIterator):
    """Options sorted by the theme's full path, so sub-themes sit under their parent. Accents are ignored,
    so 'Électronique' sorts among the E's, as a French reader expects."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from sorted((self.choice(obj) for obj in self.queryset), key=lambda c: strip_accents(str(c[1])))


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    """Themes labelled with their full path ('Smart city › Mobility'), computed in one query."""

    iterator = _PathSortedIterator

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Theme.objects.all())
        super().__init__(*args, **kwargs)
        self._paths: dict[int, str] | None = None

    def label_from_instance(self, obj: Theme) -> str:
        if self._paths is None:
            self._paths = theme_paths()
        return self._paths.get(obj.pk, obj.label)


class OrganisationForm(forms.ModelForm):
    """The profile form. Representatives get REPRESENTATIVE_FIELDS; staff and admins also STAFF_FIELDS.

    `updated_at` carries the version the editor started from, so a save made by someone else in the
    meantime is reported instead of silently overwritten."""

    aliases_text = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line: former names, acronyms, names in other languages."),
    )
    # Wider than the stored column so that spaced or prefixed input ('BE 0123.456.749') can be normalised.
    enterprise_number = forms.CharField(
        label=_("Belgian enterprise number"),
        required=False,
        max_length=30,
        help_text=_("10 digits, e.g. 0123.456.749."),
    )
    siren = forms.CharField(
        label=_("SIREN"), required=False, max_length=30, help_text=_("9 digits, e.g. 732 829 320.")
    )
    vat_number = forms.CharField(
        label=_("VAT number"),
        required=False,
        max_length=30,
        help_text=_("With its country code, e.g. BE0123456749 or FR44732829320."),
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to select several."),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=60,  # checked by clean_country, which says what a valid value looks like
        help_text=_("Two-letter code, e.g. BE or FR."),
        widget=forms.TextInput(attrs={"size": 3, "autocomplete": "country"}),
    )
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organisation
        fields = [*STAFF_FIELDS, *REPRESENTATIVE_FIELDS]
        formfield_callback = formfield
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 6}),
            "description_nl": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        if not staff:
            for name in STAFF_FIELDS:
                del self.fields[name]
        instance = self.instance
        if not self.is_bound:
            self.initial["aliases_text"] = "\n".join(instance.aliases or [])
            if instance.pk and instance.updated_at:
                self.initial["updated_at"] = instance.updated_at.isoformat()
        # Put the aliases right after the name (or first, for representatives).
        order = list(self.fields)
        order.remove("aliases_text")
        order.insert(order.index("name") + 1 if "name" in order else 0, "aliases_text")
        self.order_fields(order)

    # --- cleaning ------------------------------------------------------------------------------
    def clean_country(self) -> str:
        return country_code(self.cleaned_data.get("country"))

    def clean_aliases_text(self) -> list[str]:
        seen, aliases = set(), []
        for line in (self.cleaned_data.get("aliases_text") or "").splitlines():
            name = " ".join(line.split())
            if name and name.casefold() not in seen:
                if len(name) > 255:
                    raise forms.ValidationError(_("A name may have at most 255 characters."))
                seen.add(name.casefold())
                aliases.append(name)
        return aliases

    def _clean_identifier(self, field: str, normalise, message) -> str:
        raw = (self.cleaned_data.get(field) or "").strip()
        if not raw:
            return ""
        try:
            value = normalise(raw)
        except ValueError as exc:
            raise forms.ValidationError(message, params={"value": raw, "detail": str(exc)}) from exc
        # Unique numbers: say so here rather than through the database constraint. The other
        # organisation is not named: it may be unpublished, and this user may not see it.
        if (
            field in {"enterprise_number", "siren"}
            and Organisation.objects.filter(**{field: value}).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError(
                _(
                    "Another organisation in the directory already has this number. If it is the same "
                    "organisation, ask its ecosystem's staff to merge the two profiles."
                )
            )
        return value

    def clean_enterprise_number(self) -> str:
        return self._clean_identifier(
            "enterprise_number",
            identifiers.normalise_be_enterprise_number,
            _(
                "“%(value)s” is not a valid Belgian enterprise number: it needs 10 digits starting "
                "with 0 or 1, the last two being the mod-97 check (%(detail)s)."
            ),
        )

    def clean_siren(self) -> str:
        return self._clean_identifier(
            "siren",
            identifiers.normalise_siren,
            _("“%(value)s” is not a valid SIREN: it needs 9 digits that pass the Luhn check (%(detail)s)."),
        )

    def clean_vat_number(self) -> str:
        return self._clean_identifier(
            "vat_number",
            identifiers.normalise_eu_vat,
            _(
                "“%(value)s” is not a valid EU VAT number: it needs the country code and that "
                "country's format (%(detail)s)."
            ),
        )

    def clean_updated_at(self):
        raw = self.cleaned_data.get("updated_at") or ""
        try:
            return parse_datetime(raw) if raw else None
        except ValueError:
            return None  # a mangled version stamp only loses the concurrency check, nothing else

    def service_data(self) -> dict:
        """The cleaned values for services.update_organisation (without themes)."""
        data = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in self._meta.fields and name != "themes"
        }
        data["aliases"] = self.cleaned_data["aliases_text"]
        return data
