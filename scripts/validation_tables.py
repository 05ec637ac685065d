"""Print the comparison tables of docs/validation.md (our ETRs beside the anchors' published figures).

Usage: python scripts/validation_tables.py > /tmp/tables.md
"""

from __future__ import annotations

import pandas as pd

from tarifflab.data.reference import reference_path
from tarifflab.metrics.etr import etr_series, ieepa_refunds_owed

TWT = "tariffs/tradewartracker__trade-war-redux-2025"


def main() -> None:
    by_country = pd.read_csv(reference_path(TWT, "country-by-time.csv"))
    daily = pd.read_csv(reference_path(TWT, "daily-tariff-latest-data.csv"))
    japan = etr_series("2025-01-01", "2026-07-31", partner="JPN")
    total = etr_series("2025-01-01", "2026-07-31")
    net = etr_series("2025-01-01", "2026-07-31", partner="JPN", view="net-of-refunds")
    for frame in (japan, total, net):
        frame["date"] = frame["date"].astype(str)
    rows = []
    for _, row in by_country[by_country["country_name"] == "JAPAN"].iterrows():
        date = row["date"]
        if date > "2026-07-31":
            continue
        twt_all = daily.loc[daily["date"] == date, "import_weighted_avg_tariff"]
        rows.append(
            {
                "date": date,
                "JPN tradewartracker": round(row["effective tariff"] + row["2024 tariff"], 2),
                "JPN tarifflab in-force": round(japan.loc[japan["date"] == date, "etr_pct"].iloc[0], 2),
                "JPN tarifflab net of refunds": round(net.loc[net["date"] == date, "etr_pct"].iloc[0], 2),
                "ALL tradewartracker": round(twt_all.iloc[0], 2) if len(twt_all) else None,
                "ALL tarifflab": round(total.loc[total["date"] == date, "etr_pct"].iloc[0], 2),
            }
        )
    print(pd.DataFrame(rows).to_markdown(index=False))
    print()
    treasury = pd.read_csv(
        reference_path("tariffs/Budget-Lab-Yale__Tariff-Model/resources/calibration/treasury_revenue.csv")
    )
    treasury = treasury[treasury["date"] >= "2025-01-01"]
    total["month"] = total["date"].str[:7]
    monthly = total.groupby("month")["etr_pct"].mean()
    table = pd.DataFrame(
        {
            "month": treasury["date"].str[:7],
            "Yale/Treasury realised ETR %": treasury["effective_rate"].round(2),
            "tarifflab static ETR % (month mean)": treasury["date"].str[:7].map(monthly).round(2),
        }
    )
    print(table.to_markdown(index=False))
    print()
    owed = ieepa_refunds_owed()
    print(
        f"IEEPA duties owed back (behaviour-free, 2025-02-04 to 2026-02-23): USD {owed['refundable_usd'].sum() / 1e9:,.1f} bn"
    )
    print(
        owed.head(8)
        .assign(refundable_bn=lambda f: (f["refundable_usd"] / 1e9).round(1))[["partner", "refundable_bn"]]
        .to_markdown(index=False)
    )


if __name__ == "__main__":
    main()
