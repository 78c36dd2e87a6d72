"""Why an old member leaves at renewal: from the failed rules' codes, not from the reasons' words."""

from __future__ import annotations

from programmes.helpers import programme_document
from sigap.core import selection
from sigap.core.programme import ProgrammeSpec
from sigap.enrolment.lifecycle import _renewal_exit_reason
from sigap.enrolment.models import MemberExit


def test_rule_codes_follow_the_bit_order_of_every_spec_variant() -> None:
    for eligibility in (
        {},
        {"exclude_deceased": False},
        {"exclude_insured": False},
        {"occupations_excluded": ["SOPIR"]},
    ):
        spec = ProgrammeSpec.from_dict(programme_document(**eligibility))
        codes = selection.rule_codes(spec)
        assert len(codes) == len(selection.rules_sql(spec)) == len(set(codes))
        assert codes[:4] == ["domicile", "desil", "age", "occupation"] and codes[-1] == "excluded"
        assert ("deceased" in codes) == spec.eligibility.exclude_deceased
        assert ("insured" in codes) == spec.eligibility.exclude_insured
        everything = (1 << len(codes)) - 1
        assert selection.failed_rules(spec, everything) == codes
        assert selection.failed_rules(spec, 0) == [] == selection.failed_rules(spec, None)


def test_exit_reason_from_codes() -> None:
    def reason(failed: list[str], segmen: str = "", text: str = "x") -> str:
        return _renewal_exit_reason("ineligible", text, "SIGAP-2027", failed=failed, segmen=segmen)[0]

    assert reason(["domicile", "deceased"]) == MemberExit.DIED
    assert reason(["domicile"]) == MemberExit.MOVED
    assert reason(["insured"], segmen="PU") == MemberExit.FORMAL_JOB
    assert reason(["insured"], segmen="BPU") == MemberExit.MANUAL  # insured by another payer, not a job
    assert reason(["age", "desil"]) == MemberExit.AGED_OUT
    # the words of a reason no longer decide: a name containing "age " is not an age rule
    assert reason(["desil"], text="desil 7 > 5; domicile ... age 61 > 60") == MemberExit.MANUAL
    decision_missing = _renewal_exit_reason(None, None, "SIGAP-2027")
    assert decision_missing[0] == MemberExit.MANUAL and "not found" in decision_missing[1]
    waiting = _renewal_exit_reason("waiting", "budget", "SIGAP-2027")
    assert waiting[0] == MemberExit.MANUAL and "budget" in waiting[1]
