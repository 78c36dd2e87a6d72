from sigap.core.regions import Region, name_key
from sigap.reference import regions


def test_counts_match_the_reference():
    idx = regions()
    assert len(idx) == 91_599
    assert len(idx.descendants("3275", "kecamatan")) == 12
    assert len(idx.descendants("3275", "desa_kelurahan")) == 56
    assert len(idx.descendants("3216", "kecamatan")) == 23
    assert len(idx.descendants("3216", "desa_kelurahan")) == 187


def test_lookup_by_code_and_by_name():
    idx = regions()
    assert idx["3275"].name == "Kota Bekasi"
    assert idx.resolve("32.75.01.1001") == idx["3275011001"]
    assert idx.resolve("Pondok Gede", parent="3275").code == "327508"
    assert idx.resolve("PONDOKGEDE", parent="3275").code == "327508"
    assert idx.resolve("Kota Bekasi", parent="32").code == "3275"
    assert idx.resolve("Kab. Bekasi", parent="32").code == "3216"
    assert idx.resolve("Bekasi", parent="32") is None  # ambiguous: kabupaten and kota
    assert idx.resolve("3216", parent="3275") is None  # code outside the parent
    assert idx.resolve("Nowhere", parent="3275") is None


def test_region_helpers():
    r = Region("3275011001", "Bekasijaya", "desa_kelurahan")
    assert r.parent_code == "327501" and r.dotted == "32.75.01.1001" and r.is_kelurahan
    assert [x.code for x in regions().path("3275011001")] == ["32", "3275", "327501", "3275011001"]
    assert name_key("Pondok Gede") == name_key("pondokgede")
    # codes have gaps: Bantargebang's kelurahan
    bantar = regions().resolve("Bantargebang", parent="3275")
    assert [k.code[-4:] for k in regions().children(bantar.code)] == ["1003", "1004", "1007", "1008"]
