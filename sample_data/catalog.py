"""Static reference data of the synthetic brand 丝语 (siyu): products, cities, names, tags.

Every text here is GBK-encodable: the same names reach the Tmall export, which is GBK.
"""

from __future__ import annotations

from dataclasses import dataclass

BRAND = "丝语"
TMALL_SHOP = "丝语官方旗舰店"
DOUYIN_SHOP = "丝语官方旗舰店"


@dataclass(frozen=True)
class Product:
    sku: str
    category: str
    title: str
    price_fen: int
    douyin_product_id: str


def _product(number: int, category: str, code: str, title: str, price_yuan: int) -> Product:
    return Product(
        sku=f"SY-{code}-{number:03d}",
        category=category,
        title=f"{BRAND}{title}",
        price_fen=price_yuan * 100,
        douyin_product_id=f"3{(7_391_550_000_000_000_000 + number * 7_919) % 10**18:018d}",
    )


_PRODUCT_ROWS: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = (
    (
        "护肤",
        "HF",
        (
            ("玻尿酸保湿精华液30ml", 259),
            ("氨基酸洁面乳120g", 89),
            ("修护面霜50g", 329),
            ("补水面膜10片装", 129),
            ("防晒乳SPF50 40ml", 159),
            ("眼霜15g", 299),
        ),
    ),
    (
        "彩妆",
        "CZ",
        (
            ("丝绒雾面口红", 169),
            ("轻透气垫粉底", 239),
            ("持妆眉笔", 79),
            ("四色眼影盘", 189),
            ("定妆散粉", 149),
        ),
    ),
    (
        "个护",
        "GH",
        (
            ("无硅油洗发水500ml", 69),
            ("香氛沐浴露500ml", 59),
            ("护手霜三支装", 49),
            ("牙膏套装", 39),
            ("身体乳250ml", 99),
        ),
    ),
    (
        "母婴",
        "MY",
        (
            ("婴儿润肤霜", 119),
            ("儿童洗发沐浴二合一", 79),
            ("孕妇专用保湿乳", 199),
            ("婴儿湿巾80抽x6", 59),
        ),
    ),
    (
        "食品",
        "SP",
        (("胶原蛋白饮10瓶", 199), ("燕窝即食礼盒", 399), ("代餐奶昔", 129), ("花果茶礼盒", 89)),
    ),
)


def build_products() -> tuple[Product, ...]:
    products: list[Product] = []
    number = 0
    for category, code, items in _PRODUCT_ROWS:
        for title, price in items:
            number += 1
            products.append(_product(number, category, code, title, price))
    return tuple(products)


PRODUCTS = build_products()
CATEGORIES = tuple(dict.fromkeys(product.category for product in PRODUCTS))


@dataclass(frozen=True)
class City:
    province: str
    city: str
    districts: tuple[str, ...]
    area_code: str
    store_code: str


CITIES = (
    City("上海", "上海市", ("徐汇区", "静安区", "浦东新区", "长宁区", "闵行区"), "021", "SH"),
    City("北京", "北京市", ("朝阳区", "海淀区", "东城区", "西城区"), "010", "BJ"),
    City("浙江省", "杭州市", ("西湖区", "上城区", "拱墅区", "滨江区"), "0571", "HZ"),
    City("广东省", "广州市", ("天河区", "越秀区", "海珠区"), "020", "GZ"),
    City("广东省", "深圳市", ("南山区", "福田区", "宝安区"), "0755", "SZ"),
    City("四川省", "成都市", ("锦江区", "武侯区", "高新区"), "028", "CD"),
    City("江苏省", "南京市", ("鼓楼区", "玄武区", "建邺区"), "025", "NJ"),
    City("湖北省", "武汉市", ("江汉区", "武昌区", "洪山区"), "027", "WH"),
)
# Relative weight of each city among customers and stores.
CITY_WEIGHTS = (0.26, 0.16, 0.14, 0.1, 0.1, 0.09, 0.08, 0.07)

STREETS = (
    "漕溪北路",
    "南京西路",
    "淮海中路",
    "长寿路",
    "建国路",
    "中关村大街",
    "文三路",
    "延安路",
    "天河路",
    "中山五路",
    "科技园路",
    "深南大道",
    "人民南路",
    "春熙路",
    "中山路",
    "解放大道",
    "珞喻路",
    "学院路",
    "滨江大道",
    "花园路",
)
STORE_SITES = ("万象城店", "来福士店", "大悦城店", "太古里店", "印象城店", "万达店", "银泰店")

SURNAMES = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝"
)
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红婷雪梅琳晶颖欣怡佳宇浩然子轩"
    "雨涵梓萱思彤嘉琪诗雅晨曦一诺若汐欣妍语嫣梦瑶慧珊蕾蓉倩璐菲薇悦蓓露清"
)
PINYIN_GIVEN = (
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Li",
    "Qiang",
    "Lei",
    "Jun",
    "Yang",
    "Yan",
    "Jie",
    "Juan",
    "Tao",
    "Ming",
    "Chao",
    "Xia",
    "Ping",
    "Hua",
    "Ting",
    "Xue",
    "Mei",
    "Lin",
    "Ying",
    "Xin",
    "Yi",
)
PINYIN_SURNAMES = (
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
)
# WeChat nicknames (JSON sources only, so they may carry emoji).
NICKNAME_PARTS = (
    "小",
    "阿",
    "大",
    "Miss",
    "Lucky",
    "Coco",
    "Amy",
    "Sunny",
    "糖糖",
    "橙子",
    "momo",
    "Grace",
    "喵",
    "木子",
    "安然",
    "一一",
    "小鹿",
    "Vivi",
    "阳光",
    "微笑",
)
NICKNAME_TAILS = ("", "", "", "🌸", "✨", "🍀", "~", "_", "😊", "💕")
# Tmall member names (GBK: no emoji).
TMALL_NICK_WORDS = (
    "小猫咪",
    "快乐的鱼",
    "tb",
    "lily",
    "晴天",
    "甜甜圈",
    "暖阳",
    "星星",
    "xiaomei",
    "jenny",
    "a",
    "木木",
    "豆豆",
    "hello",
    "夏天",
    "cc",
    "蓝色",
    "芒果",
    "yoyo",
    "安安",
)

# (group name, created before the period?, tags); a group created mid-period shows in deltas.
WECOM_TAG_GROUPS: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("客户等级", True, ("新客", "复购客", "VIP")),
    ("兴趣品类", True, CATEGORIES),
    ("肤质", True, ("干皮", "油皮", "混合皮", "敏感肌")),
    ("来源", True, ("门店", "直播", "活动", "老带新")),
    ("双11意向", False, ("预售定金", "已加购", "待唤醒")),
)

TENCENT_ACCOUNT_ID = 25_610_432
OCEANENGINE_ADVERTISER_ID = "1765432109876543"
WECHAT_MP_APPID = "wx7d1c6a2e5b9f3c80"
WECHATPAY_MCH_ID = "1612345678"
