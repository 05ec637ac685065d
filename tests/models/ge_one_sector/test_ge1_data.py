"""Input data: the embedded default matches the reference files it is derived from."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from tarifflab.errors import DataError
from tarifflab.models.ge.one_sector_data import load_ge_data
from tarifflab.studies.build import ge_one_sector
from tarifflab.studies.ge_one_sector import OneSectorLab


def test_embedded_data_shape() -> None:
    data = load_ge_data(embedded=True)
    assert data.n == 194 and data.iso3[data.us] == "USA" and data.source == "embedded"
    assert np.all(np.diag(data.trade) == 0.0)
    # README (ge/): off-diagonal trade about 21.75 trillion USD (thousand USD units).
    assert data.trade.sum() == pytest.approx(21.75e9, rel=0.01)
    # README: JPN 0.24, CHN 0.54, VNM 0.46, KOR 0.26; USA and RUS 0.
    expected = {"JPN": 0.24, "CHN": 0.54, "VNM": 0.46, "KOR": 0.26, "USA": 0.0, "RUS": 0.0}
    for code, rate in expected.items():
        assert data.announced_tariff[data.index[code]] == pytest.approx(rate)


def test_missing_data_folder_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        load_ge_data(tmp_path / "nowhere")
    with pytest.raises(DataError, match="lacks"):
        load_ge_data(tmp_path)


@pytest.mark.reference
def test_embedded_matches_reference(reference_data: Path) -> None:
    ref = load_ge_data(reference_data / "ge")
    emb = load_ge_data(embedded=True)
    assert ref.iso3 == emb.iso3
    np.testing.assert_allclose(emb.trade, ref.trade, rtol=1e-7)  # float32 storage
    np.testing.assert_array_equal(emb.announced_tariff, ref.announced_tariff)
    np.testing.assert_array_equal(emb.gdp_usd, ref.gdp_usd)
    # Same headline result to 1e-6 percentage points (Table 1 case 1, USA +1.13 %).
    a = OneSectorLab(ref).run("liberation-day").welfare("USA")
    b = OneSectorLab(emb).run("liberation-day").welfare("USA")
    assert a == pytest.approx(b, abs=1e-6)


@pytest.mark.reference
def test_builder_derives_rather_than_copies(reference_data: Path, tmp_path: Path) -> None:
    provenance = ge_one_sector.build(reference_data, tmp_path)
    reference_hashes = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in (reference_data / "ge").iterdir() if p.is_file()
    }
    for item in provenance:
        written = tmp_path / item.file
        assert written.stat().st_size < 1_000_000
        assert hashlib.sha256(written.read_bytes()).hexdigest() not in reference_hashes
