import pytest

from sigap.core.names import alternative_key, clean_name, match_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("NUR HASANAH", "Nurhasanah"),
        ("Hj. Siti Aminah, S.Pd", "SITI AMINAH"),
        ("Drs. H. Ahmad Sobari, M.M.", "AHMAD SOBARI"),
        ("Moch. Djoko Soetjipto", "Muhammad Joko Sucipto"),
        ("MHD RIZKI", "MUHAMAD RIZKI"),
        ("Ujang bin Saepudin", "UJANG"),
        ("Siti binti Abdullah", "SITI"),
        ("Tjipto", "Cipto"),
        ("René", "RENE"),
        ("Almh. Nyai Oemi", "Nyai Umi"),
    ],
)
def test_variants_meet(a, b):
    assert match_key(a) == match_key(b)


def test_different_names_stay_apart():
    assert match_key("SITI AMINAH") != match_key("SITI AMINAH SARI")
    assert match_key("BUDI") != match_key("BUDIMAN")


def test_lone_initial_m_is_not_muhammad():
    assert clean_name("M. RIZKI") == "M RIZKI"
    assert match_key("M. RIZKI") != match_key("MUHAMMAD RIZKI")


def test_j_to_y_only_in_the_alternative_key():
    assert match_key("JUSUF") != match_key("YUSUF")
    assert alternative_key("JUSUF") == alternative_key("YUSUF")


def test_title_alone_is_kept():
    assert clean_name("Haji") == "HAJI"
    assert clean_name("") == "" and clean_name(None) == ""


def test_old_j_for_y_meets_only_in_alternative_key():
    assert match_key("Tjahjadi") != match_key("Cahyadi")
    assert alternative_key("Tjahjadi") == alternative_key("Cahyadi")
