"""BPJS TK benefits for claims follow-up: benefit amounts, document checklists, deadlines, coverage
on the incident date and scholarships for children.

Pure functions: callers pass the dates, the coverage periods and the paid-month count; nothing here
reads the clock or a database.  Every number comes from DOMAIN.md section 3 and carries its legal
reference.  Where DOMAIN.md is silent the value is an *open* default (``source="open"``) that the
UI labels as such (see docs/decisions/0009-claims-rules.md).

The product records incidents and follows the claim; BPJS TK adjudicates and pays.  The amounts
here are the *expected* benefit shown to officers and families, never a payment instruction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sigap.core.coverage import UNPROTECTED, Lapse, Paid, Period, month_detail
from sigap.core.money import Month

JUTA = 1_000_000


class IncidentKind(enum.StrEnum):
    WORK_ACCIDENT = "work_accident"  # kecelakaan kerja (or occupational disease), member alive
    WORK_DEATH = "work_death"  # meninggal karena kecelakaan kerja
    DEATH = "death"  # meninggal bukan karena kecelakaan kerja

    @property
    def is_death(self) -> bool:
        return self is not IncidentKind.WORK_ACCIDENT


class Programme(enum.StrEnum):
    JKK = "JKK"  # Jaminan Kecelakaan Kerja
    JKM = "JKM"  # Jaminan Kematian


class BenefitKind(enum.StrEnum):
    JKK_MEDICAL = "jkk_medical"  # perawatan dan pengobatan sesuai kebutuhan medis
    JKK_STMB = "jkk_stmb"  # santunan sementara tidak mampu bekerja
    JKK_DISABILITY = "jkk_disability"  # cacat total tetap
    JKK_DEATH = "jkk_death"  # santunan kematian karena kecelakaan kerja
    JKM_DEATH = "jkm_death"  # santunan kematian (bukan kecelakaan kerja)

    @property
    def programme(self) -> Programme:
        return Programme.JKM if self is BenefitKind.JKM_DEATH else Programme.JKK


#: Which benefits an incident of each kind may be claimed for; the first is opened on registration.
BENEFITS_FOR: Mapping[IncidentKind, tuple[BenefitKind, ...]] = {
    IncidentKind.WORK_ACCIDENT: (BenefitKind.JKK_MEDICAL, BenefitKind.JKK_STMB, BenefitKind.JKK_DISABILITY),
    IncidentKind.WORK_DEATH: (BenefitKind.JKK_DEATH, BenefitKind.JKK_MEDICAL),
    IncidentKind.DEATH: (BenefitKind.JKM_DEATH,),
}


# --------------------------------------------------------------------------- benefit amounts


@dataclass(frozen=True)
class BenefitRule:
    """The benefit paid for one kind, as a versioned rule (DOMAIN.md section 3).

    ``amount(wage)`` = ``lump_sum + periodic + funeral + max(wage_multiple x wage, wage_minimum)``;
    ``None`` when the benefit has no fixed amount (medical care as needed, temporary incapacity
    that depends on its duration: see :func:`stmb_amount`).
    """

    code: str
    benefit: BenefitKind
    effective_from: dt.date
    effective_to: dt.date | None
    legal_reference: str
    lump_sum: int = 0
    periodic: int = 0
    funeral: int = 0
    wage_multiple: int = 0
    wage_minimum: int = 0
    fixed_amount: bool = True
    #: Ceilings of parts of the benefit (code -> rupiah), e.g. homecare and transport for medical care.
    caps: Mapping[str, int] = field(default_factory=dict)

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def amount(self, wage: int) -> int | None:
        if not self.fixed_amount:
            return None
        if wage < 0:
            raise ValueError("the declared wage cannot be negative")
        wage_part = max(self.wage_multiple * wage, self.wage_minimum) if self.wage_multiple else 0
        return self.lump_sum + self.periodic + self.funeral + wage_part


PP82 = dt.date(2019, 12, 2)  # PP 82/2019 in force
BENEFIT_RULES: tuple[BenefitRule, ...] = (
    BenefitRule(
        code="JKM-PP82-2019",
        benefit=BenefitKind.JKM_DEATH,
        effective_from=PP82,
        effective_to=None,
        legal_reference="PP 82/2019: Rp20 juta sekaligus + Rp12 juta berkala + Rp10 juta pemakaman",
        lump_sum=20 * JUTA,
        periodic=12 * JUTA,
        funeral=10 * JUTA,
    ),
    BenefitRule(
        code="JKK-DEATH-PP82-2019",
        benefit=BenefitKind.JKK_DEATH,
        effective_from=PP82,
        effective_to=None,
        legal_reference="PP 82/2019: 48 x upah (paling sedikit Rp20 juta) + Rp10 juta pemakaman + Rp12 juta berkala",
        periodic=12 * JUTA,
        funeral=10 * JUTA,
        wage_multiple=48,
        wage_minimum=20 * JUTA,
    ),
    BenefitRule(
        code="JKK-DISABILITY-PP82-2019",
        benefit=BenefitKind.JKK_DISABILITY,
        effective_from=PP82,
        effective_to=None,
        legal_reference="PP 82/2019: cacat total tetap 56 x upah",
        wage_multiple=56,
    ),
    BenefitRule(
        code="JKK-MEDICAL-PP82-2019",
        benefit=BenefitKind.JKK_MEDICAL,
        effective_from=PP82,
        effective_to=None,
        legal_reference="PP 82/2019: perawatan sesuai kebutuhan medis, tanpa batas biaya",
        fixed_amount=False,
        caps={
            "homecare": 20 * JUTA,  # up to 1 year
            "transport_land": 5 * JUTA,
            "transport_sea": 2 * JUTA,
            "transport_air": 10 * JUTA,
        },
    ),
    BenefitRule(
        code="JKK-STMB-PP82-2019",
        benefit=BenefitKind.JKK_STMB,
        effective_from=PP82,
        effective_to=None,
        legal_reference="PP 82/2019: 100% upah 12 bulan pertama, selanjutnya 50%",
        fixed_amount=False,
    ),
)

STMB_FULL_MONTHS = 12  # temporary incapacity: 100% of the declared wage for 12 months, then 50%


def benefit_rule(
    benefit: BenefitKind, day: dt.date, rules: Iterable[BenefitRule] = BENEFIT_RULES
) -> BenefitRule:
    """The rule in force for ``benefit`` on ``day`` (the incident date)."""
    matches = [r for r in rules if r.benefit == benefit and r.in_force(day)]
    if not matches:
        raise LookupError(f"no {benefit.value} benefit rule in force on {day.isoformat()}")
    return max(matches, key=lambda r: r.effective_from)


def expected_amount(
    benefit: BenefitKind, *, incident_date: dt.date, wage: int, rules: Iterable[BenefitRule] = BENEFIT_RULES
) -> int | None:
    """Expected benefit in rupiah for a declared monthly ``wage`` (None: no fixed amount).

    >>> expected_amount(BenefitKind.JKK_DEATH, incident_date=dt.date(2026, 3, 1), wage=1_000_000)
    70000000
    """
    return benefit_rule(benefit, incident_date, rules).amount(wage)


def stmb_amount(wage: int, months: int) -> int:
    """Temporary incapacity pay for ``months`` off work: 100% for 12 months, then 50% (integer rupiah)."""
    if wage < 0 or months < 0:
        raise ValueError("wage and months cannot be negative")
    full = min(months, STMB_FULL_MONTHS)
    return full * wage + (months - full) * (wage // 2)


# --------------------------------------------------------------------------- documents


class HeirRelation(enum.StrEnum):
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


@dataclass(frozen=True)
class DocumentSpec:
    code: str
    label: str  # Indonesian; the app translates by code
    source: str  # "DOMAIN §3" (verified list) or "open" (a default, configurable)


NPWP_ABOVE = 50 * JUTA  # NPWP needed when the benefit is above Rp50 juta (DOMAIN.md section 3)

KARTU = DocumentSpec("kartu_bpjs", "Kartu peserta BPJS Ketenagakerjaan", "DOMAIN §3")
KTP_PESERTA = DocumentSpec("ektp_peserta", "e-KTP peserta", "DOMAIN §3")
KTP_AHLI_WARIS = DocumentSpec("ektp_ahli_waris", "e-KTP ahli waris", "DOMAIN §3")
AKTA_KEMATIAN = DocumentSpec("akta_kematian", "Akta/surat keterangan kematian", "DOMAIN §3")
KK = DocumentSpec("kk", "Kartu Keluarga", "DOMAIN §3")
SURAT_AHLI_WARIS = DocumentSpec("surat_ahli_waris", "Surat keterangan ahli waris", "DOMAIN §3")
BUKU_NIKAH = DocumentSpec("buku_nikah", "Buku nikah (ahli waris pasangan)", "DOMAIN §3")
BUKU_TABUNGAN = DocumentSpec("buku_tabungan", "Buku tabungan", "DOMAIN §3")
NPWP = DocumentSpec("npwp", "NPWP (manfaat di atas Rp50 juta)", "DOMAIN §3")
# JKK documents are not listed in DOMAIN.md: open defaults, configurable.
KRONOLOGI = DocumentSpec("kronologi", "Surat keterangan kronologi kecelakaan", "open")
KETERANGAN_DOKTER = DocumentSpec("keterangan_dokter", "Surat keterangan dokter / rincian perawatan", "open")

DOCUMENTS: tuple[DocumentSpec, ...] = (
    KARTU,
    KTP_PESERTA,
    KTP_AHLI_WARIS,
    AKTA_KEMATIAN,
    KK,
    SURAT_AHLI_WARIS,
    BUKU_NIKAH,
    BUKU_TABUNGAN,
    NPWP,
    KRONOLOGI,
    KETERANGAN_DOKTER,
)


def required_documents(
    benefit: BenefitKind, *, heir: HeirRelation | None = None, amount: int | None = None
) -> tuple[DocumentSpec, ...]:
    """The document checklist for a claim, in the order the family collects them.

    Death benefits: the JKM list of DOMAIN.md section 3 (marriage book only when the heir is the
    spouse; NPWP only when ``amount`` is above Rp50 juta), plus the accident chronology for a death
    from a work accident.  Living work-accident benefits: the open JKK default.
    """
    death = benefit in (BenefitKind.JKM_DEATH, BenefitKind.JKK_DEATH)
    docs: list[DocumentSpec] = [KARTU, KTP_PESERTA]
    if death:
        docs += [KTP_AHLI_WARIS, AKTA_KEMATIAN, KK, SURAT_AHLI_WARIS]
        if heir is HeirRelation.SPOUSE:
            docs.append(BUKU_NIKAH)
    else:
        docs.append(KK)
    if benefit.programme is Programme.JKK:
        docs.append(KRONOLOGI)
        if not death:
            docs.append(KETERANGAN_DOKTER)
    docs.append(BUKU_TABUNGAN)
    if amount is not None and amount > NPWP_ABOVE:
        docs.append(NPWP)
    return tuple(docs)


# --------------------------------------------------------------------------- deadline

JKK_CLAIM_YEARS = 5  # PP 82/2019 art. 26: the JKK claim right lapses 5 years after the accident
DEADLINE_NEAR_DAYS = 90  # "deadline near" in lists: an open default


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February -> 1 March in a common year (the full years elapsed)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


def claim_deadline(benefit: BenefitKind, incident_date: dt.date) -> dt.date | None:
    """The last day a claim may be submitted, or None when DOMAIN.md gives no limit (JKM: open).

    JKK: the right lapses 5 years after the accident, so the last day is the day before the 5th
    anniversary.

    >>> claim_deadline(BenefitKind.JKK_MEDICAL, dt.date(2026, 3, 10))
    datetime.date(2031, 3, 9)
    """
    if benefit.programme is not Programme.JKK:
        return None
    return anniversary(incident_date, JKK_CLAIM_YEARS) - dt.timedelta(days=1)


class DeadlineStatus(enum.StrEnum):
    NONE = "none"  # no deadline known
    OK = "ok"
    NEAR = "near"  # within DEADLINE_NEAR_DAYS
    OVERDUE = "overdue"  # the right has lapsed


def deadline_status(
    deadline: dt.date | None, on: dt.date, near_days: int = DEADLINE_NEAR_DAYS
) -> DeadlineStatus:
    if deadline is None:
        return DeadlineStatus.NONE
    if on > deadline:
        return DeadlineStatus.OVERDUE
    if (deadline - on).days <= near_days:
        return DeadlineStatus.NEAR
    return DeadlineStatus.OK


# --------------------------------------------------------------------------- coverage on the incident date


class CoverageReason(enum.StrEnum):
    COVERED = "covered"
    FUTURE = "future"  # the incident date is after today
    NEVER_COVERED = "never_covered"  # no coverage period at all (not yet accepted by BPJS TK)
    BEFORE_START = "before_start"  # before the first coverage period
    AFTER_END = "after_end"  # after the last period ended
    GAP = "gap"  # between two periods
    LAPSED = "lapsed"  # in the unpaid months that ended the membership (more than 3, ADR 0005)
    UNPAID = "unpaid"  # the month's premium was not paid within the arrears window (ADR 0015)


@dataclass(frozen=True)
class CoverageDecision:
    covered: bool
    reason: CoverageReason
    period: Period | None = None  # the period that covers, or the nearest one that explains the refusal
    lapse: Lapse | None = None  # LAPSED: the lapse that ended the membership
    arrears_payable_until: dt.date | None = None  # UNPAID/LAPSED: the window that closed


def coverage_on(
    day: dt.date,
    *,
    periods: Iterable[Period],
    paid: Paid,
    today: dt.date,
    holidays: frozenset[dt.date] = frozenset(),
) -> CoverageDecision:
    """Was the member protected on ``day``?  Periods are whole months (first to last covered month).

    A covered month is protected unless its premium can no longer count (``sigap.core.coverage``, as
    seen on ``today``): in the run of unpaid months that ended the membership (``LAPSED``), or unpaid
    (or paid too late) after its arrears window closed (``UNPAID``).  A month in arrears whose window is
    still open counts as covered: the arrears may still be paid and BPJS TK decides (a warning on the
    claim page, ADR 0009).
    """
    if day > today:
        return CoverageDecision(False, CoverageReason.FUTURE)
    ordered = sorted(periods)
    if not ordered:
        return CoverageDecision(False, CoverageReason.NEVER_COVERED)
    month = Month.of(day)
    for period in ordered:
        if period.includes(month):
            detail = month_detail(month, periods=ordered, paid=paid, on=today, holidays=holidays)
            if detail.lapse is not None:
                return CoverageDecision(
                    False,
                    CoverageReason.LAPSED,
                    period,
                    lapse=detail.lapse,
                    arrears_payable_until=detail.arrears_payable_until,
                )
            if detail.status in UNPROTECTED:
                return CoverageDecision(
                    False, CoverageReason.UNPAID, period, arrears_payable_until=detail.arrears_payable_until
                )
            return CoverageDecision(True, CoverageReason.COVERED, period)
    if month < ordered[0].start:
        return CoverageDecision(False, CoverageReason.BEFORE_START, ordered[0])
    before = [p for p in ordered if p.end is not None and p.end < month]
    last = before[-1] if before else ordered[-1]
    if last is ordered[-1]:
        return CoverageDecision(False, CoverageReason.AFTER_END, last)
    return CoverageDecision(False, CoverageReason.GAP, last)


# --------------------------------------------------------------------------- scholarships


class SchoolLevel(enum.StrEnum):
    TK = "tk"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    PT = "pt"  # perguruan tinggi / pelatihan


@dataclass(frozen=True)
class LevelRule:
    amount_per_year: int
    max_years: int


@dataclass(frozen=True)
class ScholarshipRule:
    code: str
    legal_reference: str
    levels: Mapping[SchoolLevel, LevelRule]
    max_children: int = 2
    child_age_below: int = 23
    jkm_min_paid_months: int = 36  # JKM: at least 3 years of paid premiums; JKK: no minimum
    benefits: frozenset[BenefitKind] = field(
        default_factory=lambda: frozenset(
            {BenefitKind.JKM_DEATH, BenefitKind.JKK_DEATH, BenefitKind.JKK_DISABILITY}
        )
    )

    def max_total(self, level: SchoolLevel) -> int:
        rule = self.levels[level]
        return rule.amount_per_year * rule.max_years


SCHOLARSHIP = ScholarshipRule(
    code="BEASISWA-PP82-2019",
    legal_reference="PP 82/2019 (DOMAIN.md §3): paling banyak 2 anak; JKM setelah iuran minimal 3 tahun",
    levels={
        SchoolLevel.TK: LevelRule(1_500_000, 2),
        SchoolLevel.SD: LevelRule(1_500_000, 6),
        SchoolLevel.SMP: LevelRule(2_000_000, 3),
        SchoolLevel.SMA: LevelRule(3_000_000, 3),
        SchoolLevel.PT: LevelRule(12_000_000, 5),
    },
)


class ScholarshipReason(enum.StrEnum):
    BENEFIT = "benefit"  # this benefit carries no scholarship
    PAID_MONTHS = "paid_months"  # JKM before 3 years of paid premiums
    CHILD_LIMIT = "child_limit"  # already 2 other children
    AGE = "age"  # 23 or older
    MARRIED = "married"
    WORKING = "working"
    YEARS_USED = "years_used"  # every year of this level already claimed


@dataclass(frozen=True)
class Child:
    name: str
    birth_date: dt.date
    married: bool = False
    working: bool = False


@dataclass(frozen=True)
class ScholarshipDecision:
    eligible: bool
    amount: int  # for one school year; 0 when not eligible
    reasons: tuple[ScholarshipReason, ...]


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def scholarship_check(
    *,
    benefit: BenefitKind,
    child: Child,
    level: SchoolLevel,
    on: dt.date,
    paid_months: int,
    other_children: int,
    years_claimed: int,
    rule: ScholarshipRule = SCHOLARSHIP,
) -> ScholarshipDecision:
    """May ``child`` receive one school year at ``level`` (claimed on ``on``)?

    ``other_children``: distinct other children already given a scholarship on this claim;
    ``years_claimed``: school years at ``level`` already claimed for this child.
    """
    reasons: list[ScholarshipReason] = []
    if benefit not in rule.benefits:
        reasons.append(ScholarshipReason.BENEFIT)
    if benefit.programme is Programme.JKM and paid_months < rule.jkm_min_paid_months:
        reasons.append(ScholarshipReason.PAID_MONTHS)
    if other_children >= rule.max_children:
        reasons.append(ScholarshipReason.CHILD_LIMIT)
    if age_on(child.birth_date, on) >= rule.child_age_below:
        reasons.append(ScholarshipReason.AGE)
    if child.married:
        reasons.append(ScholarshipReason.MARRIED)
    if child.working:
        reasons.append(ScholarshipReason.WORKING)
    if years_claimed >= rule.levels[level].max_years:
        reasons.append(ScholarshipReason.YEARS_USED)
    amount = 0 if reasons else rule.levels[level].amount_per_year
    return ScholarshipDecision(eligible=not reasons, amount=amount, reasons=tuple(reasons))


__all__ = [
    "BENEFITS_FOR",
    "BENEFIT_RULES",
    "DOCUMENTS",
    "SCHOLARSHIP",
    "BenefitKind",
    "BenefitRule",
    "Child",
    "CoverageDecision",
    "CoverageReason",
    "DeadlineStatus",
    "DocumentSpec",
    "HeirRelation",
    "IncidentKind",
    "Programme",
    "ScholarshipDecision",
    "ScholarshipReason",
    "ScholarshipRule",
    "SchoolLevel",
    "benefit_rule",
    "claim_deadline",
    "coverage_on",
    "deadline_status",
    "expected_amount",
    "required_documents",
    "scholarship_check",
    "stmb_amount",
]
