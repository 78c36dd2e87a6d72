"""Claims rules (DOMAIN.md section 3): amounts, checklists, deadlines, coverage, scholarships."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigap.core.claims import (
    BENEFIT_RULES,
    BENEFITS_FOR,
    JUTA,
    NPWP_ABOVE,
    SCHOLARSHIP,
    BenefitKind,
    BenefitRule,
    Child,
    CoverageReason,
    DeadlineStatus,
    HeirRelation,
    IncidentKind,
    ScholarshipReason,
    SchoolLevel,
    anniversary,
    benefit_rule,
    claim_deadline,
    coverage_on,
    deadline_status,
    expected_amount,
    required_documents,
    scholarship_check,
    stmb_amount,
)
from sigap.core.coverage import Period
from sigap.core.money import Month

DAY = dt.date(2026, 3, 10)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31))
wages = st.integers(min_value=0, max_value=50 * JUTA)


# --------------------------------------------------------------------------- amounts


def test_domain_figures() -> None:
    assert expected_amount(BenefitKind.JKM_DEATH, incident_date=DAY, wage=1_000_000) == 42 * JUTA
    # "At the Rp1M bracket a work-accident death pays about Rp70M": 48 x 1M + 10M + 12M.
    assert expected_amount(BenefitKind.JKK_DEATH, incident_date=DAY, wage=1_000_000) == 70 * JUTA
    assert expected_amount(BenefitKind.JKK_DISABILITY, incident_date=DAY, wage=1_000_000) == 56 * JUTA
    assert expected_amount(BenefitKind.JKK_MEDICAL, incident_date=DAY, wage=1_000_000) is None
    medical = benefit_rule(BenefitKind.JKK_MEDICAL, DAY)
    assert dict(medical.caps) == {
        "homecare": 20 * JUTA,
        "transport_land": 5 * JUTA,
        "transport_sea": 2 * JUTA,
        "transport_air": 10 * JUTA,
    }
    assert stmb_amount(1_000_000, 12) == 12 * JUTA
    assert stmb_amount(1_000_000, 14) == 13 * JUTA


def test_rules_carry_a_legal_reference_and_no_rule_before_pp82() -> None:
    for benefit in BenefitKind:
        assert "PP 82/2019" in benefit_rule(benefit, DAY).legal_reference
    with pytest.raises(LookupError):
        benefit_rule(BenefitKind.JKM_DEATH, dt.date(2019, 1, 1))


def test_a_newer_rule_wins_from_its_effective_date() -> None:
    newer = BenefitRule(
        code="JKM-NEXT",
        benefit=BenefitKind.JKM_DEATH,
        effective_from=dt.date(2027, 1, 1),
        effective_to=None,
        legal_reference="hypothetical",
        lump_sum=50 * JUTA,
    )
    rules = (*BENEFIT_RULES, newer)
    assert (
        expected_amount(BenefitKind.JKM_DEATH, incident_date=dt.date(2026, 12, 31), wage=0, rules=rules)
        == 42 * JUTA
    )
    assert (
        expected_amount(BenefitKind.JKM_DEATH, incident_date=dt.date(2027, 1, 1), wage=0, rules=rules)
        == 50 * JUTA
    )


@given(wages, wages)
def test_jkk_death_has_a_floor_and_grows_with_the_wage(a: int, b: int) -> None:
    low, high = sorted((a, b))
    amount_low = expected_amount(BenefitKind.JKK_DEATH, incident_date=DAY, wage=low)
    amount_high = expected_amount(BenefitKind.JKK_DEATH, incident_date=DAY, wage=high)
    assert amount_low is not None and amount_high is not None
    assert 42 * JUTA <= amount_low <= amount_high
    assert amount_low == max(48 * low, 20 * JUTA) + 22 * JUTA


@given(st.integers(min_value=0, max_value=10 * JUTA), st.integers(min_value=0, max_value=120))
def test_stmb_is_full_pay_then_half(wage: int, months: int) -> None:
    amount = stmb_amount(wage, months)
    assert isinstance(amount, int)
    assert amount <= months * wage
    if months <= 12:
        assert amount == months * wage
    else:
        assert amount - stmb_amount(wage, months - 1) == wage // 2


# --------------------------------------------------------------------------- documents


def test_jkm_checklist_is_the_domain_list() -> None:
    codes = [
        d.code for d in required_documents(BenefitKind.JKM_DEATH, heir=HeirRelation.SPOUSE, amount=42 * JUTA)
    ]
    assert codes == [
        "kartu_bpjs",
        "ektp_peserta",
        "ektp_ahli_waris",
        "akta_kematian",
        "kk",
        "surat_ahli_waris",
        "buku_nikah",
        "buku_tabungan",
    ]
    work_death = required_documents(BenefitKind.JKK_DEATH, heir=HeirRelation.CHILD, amount=70 * JUTA)
    assert {"npwp", "kronologi"} <= {d.code for d in work_death}
    assert "buku_nikah" not in {d.code for d in work_death}


@given(
    st.sampled_from(list(BenefitKind)),
    st.one_of(st.none(), st.sampled_from(list(HeirRelation))),
    st.one_of(st.none(), st.integers(min_value=0, max_value=500 * JUTA)),
)
def test_checklist_rules(benefit: BenefitKind, heir: HeirRelation | None, amount: int | None) -> None:
    docs = required_documents(benefit, heir=heir, amount=amount)
    codes = [d.code for d in docs]
    assert len(codes) == len(set(codes))
    assert codes[:2] == ["kartu_bpjs", "ektp_peserta"] and "buku_tabungan" in codes
    assert ("npwp" in codes) == (amount is not None and amount > NPWP_ABOVE)
    death = benefit in (BenefitKind.JKM_DEATH, BenefitKind.JKK_DEATH)
    assert ("akta_kematian" in codes) == death
    assert ("buku_nikah" in codes) == (death and heir is HeirRelation.SPOUSE)
    assert all(d.source in ("DOMAIN §3", "open") for d in docs)
    assert all(d.source == "DOMAIN §3" for d in docs if benefit is BenefitKind.JKM_DEATH)


def test_every_incident_kind_opens_a_benefit_of_the_right_programme() -> None:
    assert BENEFITS_FOR[IncidentKind.DEATH] == (BenefitKind.JKM_DEATH,)
    assert BENEFITS_FOR[IncidentKind.WORK_DEATH][0] is BenefitKind.JKK_DEATH
    assert all(b.programme.value == "JKK" for b in BENEFITS_FOR[IncidentKind.WORK_ACCIDENT])


# --------------------------------------------------------------------------- deadline


def test_deadline_examples() -> None:
    assert claim_deadline(BenefitKind.JKK_MEDICAL, dt.date(2026, 3, 10)) == dt.date(2031, 3, 9)
    assert claim_deadline(BenefitKind.JKK_DEATH, dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)
    assert claim_deadline(BenefitKind.JKM_DEATH, dt.date(2026, 3, 10)) is None
    assert deadline_status(None, DAY) is DeadlineStatus.NONE


@given(dates, st.sampled_from([b for b in BenefitKind if b.programme.value == "JKK"]))
def test_jkk_deadline_is_five_years_less_a_day(day: dt.date, benefit: BenefitKind) -> None:
    deadline = claim_deadline(benefit, day)
    assert deadline is not None
    assert deadline + dt.timedelta(days=1) == anniversary(day, 5)
    assert 5 * 365 <= (deadline - day).days + 1 <= 5 * 366
    assert deadline_status(deadline, deadline) is DeadlineStatus.NEAR
    assert deadline_status(deadline, deadline + dt.timedelta(days=1)) is DeadlineStatus.OVERDUE
    assert deadline_status(deadline, day) is DeadlineStatus.OK


@given(dates, dates)
def test_deadline_status_partitions_time(deadline: dt.date, on: dt.date) -> None:
    status = deadline_status(deadline, on, near_days=90)
    assert (status is DeadlineStatus.OVERDUE) == (on > deadline)
    assert (status is DeadlineStatus.NEAR) == (on <= deadline and (deadline - on).days <= 90)


# --------------------------------------------------------------------------- coverage


#: Every month paid on time: coverage then depends on the periods only.
EVERY_MONTH = frozenset(Month(year, month) for year in range(2023, 2031) for month in range(1, 13))


def test_coverage_reasons() -> None:
    today = dt.date(2026, 11, 1)
    periods = [Period(Month(2026, 1), Month(2026, 3)), Period(Month(2026, 6), Month(2026, 8))]
    kw = {"periods": periods, "today": today, "paid": EVERY_MONTH}
    assert coverage_on(dt.date(2026, 2, 1), **kw).covered
    assert coverage_on(dt.date(2026, 3, 31), **kw).covered
    assert coverage_on(dt.date(2025, 12, 31), **kw).reason is CoverageReason.BEFORE_START
    assert coverage_on(dt.date(2026, 4, 1), **kw).reason is CoverageReason.GAP
    assert coverage_on(dt.date(2026, 9, 1), **kw).reason is CoverageReason.AFTER_END
    assert coverage_on(dt.date(2026, 2, 1), **(kw | {"periods": []})).reason is CoverageReason.NEVER_COVERED
    assert coverage_on(dt.date(2026, 11, 2), **kw).reason is CoverageReason.FUTURE


def test_a_day_in_the_unpaid_months_that_ended_the_membership_is_not_covered() -> None:
    # Paid through January; February..May unpaid; the lapse check closed the period at May (lapse month).
    periods = [Period(Month(2026, 1), Month(2026, 5))]
    paid = {Month(2026, 1): dt.date(2026, 1, 10)}
    today = dt.date(2026, 6, 15)
    assert coverage_on(dt.date(2026, 1, 20), periods=periods, paid=paid, today=today).covered
    decision = coverage_on(dt.date(2026, 3, 10), periods=periods, paid=paid, today=today)
    assert (decision.covered, decision.reason) == (False, CoverageReason.LAPSED)
    assert decision.lapse is not None and decision.lapse.lapsed_on == dt.date(2026, 5, 16)
    assert decision.arrears_payable_until == dt.date(2026, 4, 30)
    # The late APBD money (SP2D dated 10 June) paid February..May: still not covered.
    late = paid | dict.fromkeys(Month(2026, 2).through(Month(2026, 5)), dt.date(2026, 6, 10))
    assert coverage_on(dt.date(2026, 5, 20), periods=periods, paid=late, today=today).reason == "lapsed"
    # Before the window closed the month counted as covered (the arrears could still be paid).
    early = coverage_on(dt.date(2026, 3, 10), periods=periods, paid=paid, today=dt.date(2026, 4, 30))
    assert early.covered
    # After the window closed, before the membership ended: unpaid, not covered.
    closed = coverage_on(dt.date(2026, 3, 10), periods=periods, paid=paid, today=dt.date(2026, 5, 5))
    assert (closed.covered, closed.reason, closed.lapse) == (False, CoverageReason.UNPAID, None)


months = st.builds(Month, st.integers(2024, 2028), st.integers(1, 12))


@st.composite
def period_lists(draw: st.DrawFn) -> list[Period]:
    starts = sorted(set(draw(st.lists(months, max_size=4))))
    periods = []
    for i, start in enumerate(starts):
        limit = starts[i + 1] + -1 if i + 1 < len(starts) else None
        if limit is None and draw(st.booleans()):
            periods.append(Period(start))
        else:
            end = start + draw(st.integers(0, 6))
            periods.append(Period(start, min(end, limit) if limit else end))
    return periods


@given(period_lists(), st.dates(dt.date(2023, 1, 1), dt.date(2030, 12, 31)))
def test_covered_iff_a_period_includes_the_month(periods: list[Period], day: dt.date) -> None:
    decision = coverage_on(day, periods=periods, paid=EVERY_MONTH, today=dt.date(2031, 1, 1))
    assert decision.covered == any(p.includes(Month.of(day)) for p in periods)
    assert decision.covered == (decision.reason is CoverageReason.COVERED)
    if decision.covered:
        assert decision.period is not None and decision.period.includes(Month.of(day))


# --------------------------------------------------------------------------- scholarships


CHILD = Child("ANAK", dt.date(2015, 6, 1))


def _check(**kw: object) -> tuple[bool, int, tuple[ScholarshipReason, ...]]:
    args: dict[str, object] = {
        "benefit": BenefitKind.JKK_DEATH,
        "child": CHILD,
        "level": SchoolLevel.SD,
        "on": DAY,
        "paid_months": 0,
        "other_children": 0,
        "years_claimed": 0,
    }
    args.update(kw)
    d = scholarship_check(**args)  # type: ignore[arg-type]
    return d.eligible, d.amount, d.reasons


def test_scholarship_examples() -> None:
    assert _check() == (True, 1_500_000, ())
    assert _check(level=SchoolLevel.PT, child=Child("X", dt.date(2005, 1, 1))) == (True, 12_000_000, ())
    assert _check(benefit=BenefitKind.JKM_DEATH, paid_months=35)[2] == (ScholarshipReason.PAID_MONTHS,)
    assert _check(benefit=BenefitKind.JKM_DEATH, paid_months=36)[0]
    assert _check(benefit=BenefitKind.JKK_MEDICAL)[2] == (ScholarshipReason.BENEFIT,)
    assert _check(other_children=2)[2] == (ScholarshipReason.CHILD_LIMIT,)
    assert _check(child=Child("X", dt.date(2003, 3, 10)))[2] == (ScholarshipReason.AGE,)  # 23 today
    assert _check(child=Child("X", dt.date(2003, 3, 11)))[0]  # 23 tomorrow
    assert _check(years_claimed=6)[2] == (ScholarshipReason.YEARS_USED,)
    assert SCHOLARSHIP.max_total(SchoolLevel.PT) == 60 * JUTA


@given(
    st.sampled_from(list(BenefitKind)),
    st.sampled_from(list(SchoolLevel)),
    st.integers(0, 120),
    st.integers(0, 4),
    st.integers(0, 8),
    st.booleans(),
    st.booleans(),
    st.dates(dt.date(1995, 1, 1), dt.date(2025, 12, 31)),
)
def test_scholarship_never_breaks_a_limit(
    benefit: BenefitKind,
    level: SchoolLevel,
    paid_months: int,
    others: int,
    years: int,
    married: bool,
    working: bool,
    born: dt.date,
) -> None:
    decision = scholarship_check(
        benefit=benefit,
        child=Child("A", born, married=married, working=working),
        level=level,
        on=DAY,
        paid_months=paid_months,
        other_children=others,
        years_claimed=years,
    )
    if decision.eligible:
        assert decision.amount == SCHOLARSHIP.levels[level].amount_per_year
        assert others < 2 and years < SCHOLARSHIP.levels[level].max_years
        assert not married and not working and (DAY.year - born.year) <= 23
        assert benefit.programme.value == "JKK" or paid_months >= 36
    else:
        assert decision.amount == 0 and decision.reasons
