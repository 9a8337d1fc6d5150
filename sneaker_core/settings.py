"""One settings object for the whole pipeline (env prefix SNEAKER_, optional .env file)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from sneaker_core.http_retry import RetryPolicy

GOAT_URL = "https://www.goat.com"
DEFAULT_PRICE_BAND_EDGES = (0.0, 100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0, math.inf)

DEMO_IMAGE_SIZES = {"image_size": 128, "train_image_size": 96}


class Settings(BaseSettings):
    """Pipeline settings; every path the pipeline writes lies under `data_dir`."""

    model_config = SettingsConfigDict(env_prefix="SNEAKER_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    source: str = Field("demo", description="'demo' (local demo marketplace), 'goat', or a base URL")
    models_file: Path | None = None
    scrape_mode: Literal["browser", "json"] = "browser"
    item_cap: int = Field(2000, ge=1, description="most listings scraped per model")
    stale_scrolls: int = Field(3, ge=1, description="stop after this many scrolls bring nothing new")
    scroll_wait_s: float = Field(5.0, gt=0, description="longest wait for new cards after one scroll")
    retry_attempts: int = Field(5, ge=1, description="attempts per HTTP request (timeouts, 5xx, 429)")
    market_port: int = Field(8765, ge=0, le=65535, description="port of the demo market started by `run`")
    user_agent: str = "sneaker-forecaster/0.1 (+https://github.com/; polite weekly scrape)"
    chromium: Path | None = Field(None, description="explicit Chromium executable (SNEAKER_CHROMIUM)")
    scrape_workers: int = Field(2, ge=1, description="models scraped at once per host (one browser each)")
    per_host_concurrency: int = Field(16, ge=1)
    request_timeout_s: float = Field(20.0, gt=0)
    delay_s: float = Field(0.0, ge=0, description="mean jittered delay between requests (use >=1 on GOAT)")
    image_size: int = Field(224, ge=16, le=1024, description="stored image side in pixels")
    resize_at_source: bool = Field(True, description="ask the image CDN for `image_size` px (a `width=` "
                                   "query on the image URL, as GOAT's has) instead of the 750 px original")
    jpeg_quality: int = Field(95, ge=50, le=100, description="JPEG quality of stored images")
    max_image_bytes: int = Field(20 * 2**20, ge=1024, description="larger downloads are quarantined")
    max_image_pixels: int = Field(40_000_000, ge=1, description="decompression-bomb guard (width*height)")
    min_image_ok_fraction: float = Field(0.5, ge=0, le=1, description="a model below this ok share fails")
    retry_base_delay_s: float = Field(0.5, ge=0, description="first backoff delay, doubled per retry")
    retry_max_delay_s: float = Field(30.0, ge=0, description="cap on backoff and on Retry-After")
    image_workers: int = Field(0, ge=0, description="processes normalising images (0 = all cores)")
    train_image_size: int = Field(128, ge=16, le=1024, description="side the CNNs train on")
    shard_size: int = Field(512, ge=1, description="most examples per TFRecord shard")
    seed: int = 1337
    split: tuple[float, float, float] = (0.70, 0.15, 0.15)
    price_band_edges: tuple[float, ...] = DEFAULT_PRICE_BAND_EDGES
    epochs: int = Field(24, ge=1, description="most training epochs per target (cosine LR decay over them)")
    finetune_epochs: int = Field(10, ge=1, description="most epochs of a target that starts from the sneaker-"
                                 "model CNN's backbone (`warm_start`)")
    warm_start: bool = Field(True, description="train the sneaker-model CNN first and start the brand and price "
                             "CNNs from its weights (head excepted)")
    batch_size: int = Field(32, ge=1)
    architecture: Literal["default", "baseline"] = "default"
    patience: int = Field(8, ge=1, description="early stopping: epochs without a better val loss (best weights kept)")
    warmup_epochs: int = Field(6, ge=0, description="epochs before early stopping starts watching the val loss "
                               "(an early, noisy val-loss minimum is never the one kept)")
    market_products: int = Field(2500, ge=10, description="size of the synthetic demo catalog (2500: model >= 0.97)")
    market_faults: str = Field("", description="demo market fault spec, e.g. error_rate=0.1,latency_ms=20")
    # governance (issue 15): promotion rule, week-over-week drift thresholds, alert webhook
    promotion_tolerance: float = Field(0.02, ge=0, le=1, description="a challenger may lose at most this much "
                                       "accuracy per target (lower end of the paired bootstrap interval)")
    promotion_confidence: float = Field(0.90, gt=0, lt=1, description="two-sided level of that interval")
    promotion_resamples: int = Field(2000, ge=100, description="paired bootstrap resamples")
    promotion_min_rows: int = Field(30, ge=1, description="fewest shared evaluation rows per target to compare")
    drift_max_count_change: float = Field(0.30, ge=0, description="largest relative change in listing count")
    drift_max_unpriced_change: float = Field(0.10, ge=0, le=1, description="largest change in the unpriced share")
    drift_max_median_change: float = Field(0.15, ge=0, description="largest relative change in median price")
    drift_max_price_psi: float = Field(0.25, ge=0, description="largest PSI of the price distribution")
    drift_max_label_psi: float = Field(0.25, ge=0, description="largest PSI of the label mix (model label, "
                                       "or the status of unlabelled rows)")
    notify_webhook: str = Field("", description="URL the failure / missed-run alerts are POSTed to "
                                "(SNEAKER_NOTIFY_WEBHOOK; read by `sneaker deploy`)")
    # Per-size asks (sneaker_core/scrape/sizes.py): one more polite request per product and model.
    sizes: bool | None = Field(None, description="scrape each product's per-size asks (SNEAKER_SIZES); unset: on "
                               "for the demo market, off for goat or a URL")
    sizes_max_products: int = Field(500, ge=1, description="most products per model whose sizes are scraped")

    @model_validator(mode="after")
    def _demo_profile(self) -> Settings:
        """The demo market's drawings need less resolution than photos: smaller images unless set explicitly."""
        if self.is_demo:
            for name, size in DEMO_IMAGE_SIZES.items():
                if name not in self.model_fields_set:
                    setattr(self, name, size)
        return self

    @field_validator("split")
    @classmethod
    def _split_sums_to_one(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if abs(sum(v) - 1.0) > 1e-6 or min(v) <= 0:
            raise ValueError(f"split {v} must be three positive fractions summing to 1, e.g. 0.7,0.15,0.15")
        return v

    @field_validator("price_band_edges")
    @classmethod
    def _edges_increase(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if len(v) < 3 or any(b <= a for a, b in itertools.pairwise(v)):
            raise ValueError(f"price_band_edges {v} must be at least 3 strictly increasing numbers")
        return v

    @classmethod
    def with_overrides(cls, **overrides: object) -> Settings:
        """Settings from the environment (and .env), with the non-None overrides applied and validated."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})

    def retry_policy(self) -> RetryPolicy:
        """The HTTP retry policy every client of the pipeline uses."""
        from sneaker_core.http_retry import RetryPolicy

        return RetryPolicy(
            attempts=self.retry_attempts, base_delay_s=self.retry_base_delay_s, max_delay_s=self.retry_max_delay_s
        )

    def politeness_delay_s(self) -> float:
        """Mean jittered pause between requests: at least 1 s on the live site, as configured elsewhere."""
        return max(self.delay_s, 1.0) if self.source == "goat" else self.delay_s

    def sizes_enabled(self) -> bool:
        """Whether the weekly run scrapes per-size asks: `sizes` when set, else only for the demo market."""
        return self.is_demo if self.sizes is None else self.sizes

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    def base_url(self) -> str | None:
        """The marketplace base URL, or None for the demo market (started on demand)."""
        if self.is_demo:
            return None
        if self.source == "goat":
            return GOAT_URL
        return self.source.rstrip("/")

    def path(self, *parts: str) -> Path:
        """A path under the data directory."""
        return Path(self.data_dir).joinpath(*parts)

    # pricing (net payout, sneaker_core.payout): GOAT's published seller schedule for US sellers in good standing,
    # as of 2023 - a 9.5 % commission plus a $5 seller fee per sale, and 2.9 % when the balance is cashed out to
    # a bank (0 keeps it as store credit). Applied at output time only: no training cache key holds these.
    fee_commission_rate: float = Field(0.095, ge=0, lt=1, description="marketplace commission share of the price")
    fee_seller_usd: float = Field(5.0, ge=0, description="fixed seller fee per sale, dollars")
    fee_cashout_rate: float = Field(0.029, ge=0, lt=1, description="cash-out fee share (0 = keep store credit)")
