"""The demo merchant's world: a cosmetics-and-lifestyle brand with a Tmall/Taobao shop, a
mini-program and stores, the QR codes it recruits members with, its products, and the Chinese
retail calendar that drives its sales.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玲红燕飞鹏婷雪琳晨宇欣怡佳悦思涵子轩梓萱"
)
REGIONS = (
    ("上海", "上海"), ("北京", "北京"), ("广东", "广州"), ("广东", "深圳"), ("浙江", "杭州"),
    ("江苏", "南京"), ("江苏", "苏州"), ("四川", "成都"), ("湖北", "武汉"), ("陕西", "西安"),
    ("福建", "厦门"), ("山东", "青岛"), ("湖南", "长沙"), ("重庆", "重庆"), ("天津", "天津"),
)  # fmt: skip
#: Where members come from and buy: (channel, share of members, store codes there).
CHANNELS = (
    ("tmall", 0.38, ("tmall-flagship",)),
    ("taobao", 0.22, ("taobao-outlet",)),
    ("mini_program", 0.22, ("mp",)),
    ("pos", 0.18, ("sh-xintiandi", "bj-sanlitun", "gz-taikoo")),
)
#: The shop's stores: code → (name, channel); the codes are those of ``CHANNELS``.
STORES = {
    "tmall-flagship": ("天猫旗舰店", "tmall"),
    "taobao-outlet": ("淘宝奥莱店", "taobao"),
    "mp": ("小程序商城", "mini_program"),
    "sh-xintiandi": ("上海新天地店", "pos"),
    "bj-sanlitun": ("北京三里屯店", "pos"),
    "gz-taikoo": ("广州太古汇店", "pos"),
}
#: The shop's join QR codes: (name, source, campaign, store, channel of the members who scan
#: it). A parcel card per online shop, a code at each store's till, the official account's menu.
SCENES = (
    ("天猫旗舰店包裹卡", "parcel_card", "包裹卡·天猫", "tmall-flagship", "tmall"),
    ("淘宝奥莱店包裹卡", "parcel_card", "包裹卡·淘宝", "taobao-outlet", "taobao"),
    ("上海新天地店收银台", "store_qr", "门店扫码", "sh-xintiandi", "pos"),
    ("北京三里屯店收银台", "store_qr", "门店扫码", "bj-sanlitun", "pos"),
    ("广州太古汇店收银台", "store_qr", "门店扫码", "gz-taikoo", "pos"),
    ("公众号菜单·会员中心", "official_account_menu", "公众号菜单", None, "mini_program"),
)
CATEGORIES = (
    ("护肤 skincare", 129, 459), ("彩妆 make-up", 79, 329), ("香氛 fragrance", 199, 899),
    ("个护 body care", 39, 159), ("礼盒 gift sets", 259, 999), ("家居 home", 49, 299),
)  # fmt: skip


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    list_price_cents: int
    launched: date

    def is_new_on(self, day: date) -> bool:
        """New for 90 days after launch: what novelty-seekers buy."""
        return 0 <= (day - self.launched).days <= 90


def products(rng: np.random.Generator, first_day: date, last_day: date) -> list[Product]:
    """Eighteen products a category, launched across the years the demo spans."""
    span = (last_day - first_day).days
    made: list[Product] = []
    for index, (category, low, high) in enumerate(CATEGORIES):
        for number in range(18):
            price = int(rng.integers(low, high)) // 10 * 1000 + 900  # ¥xx9.00 price points
            launched = first_day.fromordinal(first_day.toordinal() + int(rng.integers(0, span)))
            name = f"{category.split()[0]} {number + 1:02d}"
            made.append(Product(f"SKU{index + 1}{number + 1:03d}", name, category, price, launched))
    return made


def season(day: date) -> float:
    """How busy a day is against an ordinary one: 双11 and 618 peak, gifting before the Spring
    Festival and 520, the holiday itself quiet."""
    month, dom = day.month, day.day
    if month == 11 and dom <= 11:
        return 5.0 if dom >= 10 else 2.0
    if month == 6 and dom <= 18:
        return 3.0 if dom >= 16 else 1.6
    if (month == 12 and dom >= 10) or (month == 1 and dom <= 20):
        return 1.5
    if month == 5 and 15 <= dom <= 20:
        return 1.8
    if month == 2 and dom <= 15:
        return 0.5
    return 1.0


def is_festival(day: date) -> bool:
    """Days people buy gifts: 520, Qixi (approximated as mid-August), Christmas, Spring Festival."""
    return (day.month, day.day) in {(5, 20), (8, 10), (12, 24), (12, 25)} or (
        day.month == 1 and 20 <= day.day <= 31
    )
