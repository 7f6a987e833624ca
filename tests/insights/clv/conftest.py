"""CDNOW's 1/10 sample as the papers use it: the raw transaction lines, and the model inputs
built from them in weeks as of 1997-09-30 (``reference_data`` skips, or fails in CI, without
the shared data)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from memberops.insights.clv.summary import Summary, summarise

CALIBRATION_END = np.datetime64("1997-09-30")
SAMPLE_COLUMNS = ["master_id", "id", "date", "cds", "dollars"]


@pytest.fixture(scope="session")
def cdnow_lines(reference_data: Path) -> pd.DataFrame:
    """CDNOW_sample.txt: whitespace separated, no header, dates as YYYYMMDD."""
    lines = pd.read_csv(
        reference_data / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=SAMPLE_COLUMNS,
        dtype={"date": str},
    )
    lines["day"] = pd.to_datetime(lines["date"], format="%Y%m%d").to_numpy("datetime64[D]")
    return lines


@pytest.fixture(scope="session")
def cdnow(cdnow_lines: pd.DataFrame) -> Summary:
    """(x, t_x, T, zbar) in weeks for the 2,357 customers, from the raw lines."""
    return summarise(
        cdnow_lines["id"].to_numpy(),
        cdnow_lines["day"].to_numpy(),
        cdnow_lines["dollars"].to_numpy(),
        CALIBRATION_END,
    )


@pytest.fixture(scope="session")
def published_summary(reference_data: Path) -> pd.DataFrame:
    """cdnow_customers_summary_with_transactions.csv: ID, x, t_x, T, zbar."""
    return pd.read_csv(reference_data / "cdnow_customers_summary_with_transactions.csv")
