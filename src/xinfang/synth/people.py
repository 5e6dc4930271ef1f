"""Synthetic persons: names, mobile numbers and ID numbers that can never be real people.

ID numbers follow GB 11643-1999 (18 characters, valid birth date, ISO 7064 MOD 11-2 check
character) with a real province prefix but the area digits ``98xx``, which no GB/T 2260 prefecture
uses. Mobile numbers use the segment 154, which no operator has been issued.
"""

from __future__ import annotations

import numpy as np

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = np.array(list("10X98765432"))
FAKE_AREA = "98"
PHONE_SEGMENT = "154"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林郑梁谢宋唐韩冯许邓曹彭曾田萧董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌波宁鹏飞海峰亮振松林"
    "春梅凤荣燕玲云莲珍彬鑫浩宇晨欣怡佳俊豪博瑞成志永新喜福德贵金银水山东卫民生学庆"
)


def check_char(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    return str(CHECK_CHARS[int(np.dot([int(c) for c in first17], ID_WEIGHTS)) % 11])


def id_numbers(
    rng: np.random.Generator,
    provinces: np.ndarray,
    born_from: np.datetime64,
    born_to: np.datetime64,
) -> np.ndarray:
    """One valid ID number per entry of ``provinces`` (2-digit province prefixes)."""
    n = len(provinces)
    born = born_from + rng.integers(0, (born_to - born_from).astype(np.int64), n).astype(
        "timedelta64[D]"
    )
    month = born.astype("datetime64[M]")
    ymd = (
        (month.astype("datetime64[Y]").astype(np.int64) + 1970) * 10000
        + (month.astype(np.int64) % 12 + 1) * 100
        + (born - month).astype(np.int64)
        + 1
    )
    area = int(FAKE_AREA) * 100 + rng.integers(1, 100, n)
    body = (
        (provinces.astype(np.int64) * 10**4 + area) * 10**11 + ymd * 1000 + rng.integers(1, 1000, n)
    )
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    return np.char.add(body.astype(str), CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]).astype(object)


def mistype_check_char(rng: np.random.Generator, id_number: str) -> str:
    """The same ID number with a wrong check character, as a clerk's typo produces."""
    wrong = [c for c in CHECK_CHARS if c != id_number[-1]]
    return id_number[:-1] + str(wrong[rng.integers(len(wrong))])


def names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surname (frequency-weighted) + a one- or two-character given name."""
    surnames = np.array(list(SURNAMES))
    given = np.array(list(GIVEN_CHARS))
    rank_weight = 1.0 / (np.arange(len(surnames)) + 4.0)
    s = surnames[rng.choice(len(surnames), n, p=rank_weight / rank_weight.sum())]
    g1 = given[rng.integers(0, len(given), n)]
    g2 = np.where(rng.random(n) < 0.75, given[rng.integers(0, len(given), n)], "")
    return np.char.add(np.char.add(s, g1), g2).astype(object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.add(
        PHONE_SEGMENT, np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)
    ).astype(object)


def officials(rng: np.random.Generator, titles: tuple[str, ...], n: int) -> np.ndarray:
    """Officials as ledgers name them, title then a redacted name: ``副县长李某某``."""
    surnames = np.array(list(SURNAMES[:40]))
    t = np.array(titles)[rng.integers(0, len(titles), n)]
    return np.char.add(np.char.add(t, surnames[rng.integers(0, len(surnames), n)]), "某某").astype(
        object
    )
