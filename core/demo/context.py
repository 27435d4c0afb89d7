"""Scales and the shared state one demo run carries: random source, clock, org, catalogue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.demo.gen import DAY, People, Random
from core.demo.writer import Writer


@dataclass(frozen=True)
class Scale:
    code: str
    users: int
    customers: int
    regions: int  # sales regions under 销售部
    teams: int  # teams per region
    staff: int  # finance, HR, marketing … employees besides the fixed accounts
    chunk: int  # customers generated (and held in memory) at a time


SCALES: dict[str, Scale] = {
    "XS": Scale("XS", 16, 150, 1, 2, 2, 150),  # tests only
    "S": Scale("S", 25, 2_000, 2, 2, 3, 500),
    "M": Scale("M", 200, 100_000, 5, 4, 12, 25_000),
    "L": Scale("L", 1_000, 1_000_000, 8, 6, 40, 25_000),
}

# Customer-level recall windows (days without follow-up) written into the pool rules; owned,
# not-yet-dealt customers always get a follow-up inside theirs so the first recall job run
# does not sweep the demo into the pool.
RECALL_DAYS = {0: 90, 1: 60, 2: 30}  # by level index: A, B, C

STATUS = np.array(["draft", "pending", "approved", "rejected", "withdrawn"])
DRAFT, PENDING, APPROVED, REJECTED, WITHDRAWN = range(5)


@dataclass
class Step:
    position: int
    kind: str  # users / superior / chosen
    mode: str  # any / all
    users: list[int]


@dataclass
class Flow:
    id: int
    category_id: int
    kind: str
    steps: list[Step]
    cc: list[int]


@dataclass
class Org:
    """Users as arrays indexed by user id (0 = nobody)."""

    superior: np.ndarray
    department: np.ndarray
    region: np.ndarray  # sales region index, -1 = none / nationwide
    names: list[str]  # display name by user id
    sales: np.ndarray  # ids of users who own customers
    sales_weight: np.ndarray
    dept_members: dict[int, np.ndarray]
    heads: np.ndarray  # every department head (chosen approvers)
    ids: dict[str, int]  # fixed accounts and key people: admin, manager, finance, hr, …
    sales_departments: list[int]
    department_parent: dict[int, int | None]
    all_users: np.ndarray

    def pick_sales(self, rnd: Random, n: int) -> np.ndarray:
        return self.sales[rnd.index(len(self.sales), n, self.sales_weight)]

    def teammate(self, rnd: Random, users: np.ndarray) -> np.ndarray:
        """A random colleague in the same department (0 when the user works alone)."""
        out = np.zeros(len(users), dtype=np.int64)
        deps = self.department[users]
        for dep in np.unique(deps):
            members = self.dept_members.get(int(dep))
            if members is None or len(members) < 2:
                continue
            sel = np.flatnonzero(deps == dep)
            pick = members[rnd.index(len(members), len(sel))]
            clash = pick == users[sel]
            pick[clash] = members[(np.searchsorted(members, pick[clash]) + 1) % len(members)]
            out[sel] = pick
        return out


@dataclass
class Ctx:
    url: str
    scale: Scale
    rnd: Random
    writer: Writer
    now: int
    progress: Callable[[float, str], None]
    people: People = field(default_factory=People)
    org: Org | None = None
    options: dict[str, list[str]] = field(default_factory=dict)
    refs: dict = field(default_factory=dict)  # pool, stage groups, rules, categories
    flows: dict[str, Flow] = field(default_factory=dict)
    products: dict[str, np.ndarray] = field(default_factory=dict)
    day_seq: dict[str, np.ndarray] = field(default_factory=dict)  # numbering per day
    city_seq: np.ndarray | None = None  # company names issued per city
    owner_amount: np.ndarray | None = None  # approved contract amount per user (targets)
    user_customers: dict[int, list[int]] = field(default_factory=dict)

    @property
    def start(self) -> int:
        """Two years ago: the earliest order date."""
        return self.now - 730 * DAY

    @property
    def today(self) -> int:
        return self.now // DAY
