"""Word lists for realistic Simplified-Chinese demo data: people, companies, addresses, phones."""

from __future__ import annotations

from pypinyin import lazy_pinyin

# Surname:relative frequency (per mille, roughly the national distribution).
_SURNAMES = """王:71 李:70 张:67 刘:54 陈:45 杨:31 黄:22 赵:20 吴:19 周:19 徐:13 孙:13 马:12 朱:11
胡:10 郭:10 何:9 高:9 林:9 罗:9 郑:8 梁:7 谢:6 宋:6 唐:5 许:5 韩:5 冯:5 邓:5 曹:5 彭:5 曾:4 肖:4
田:4 董:4 袁:4 潘:4 于:4 蒋:4 蔡:4 余:4 杜:3 叶:3 程:3 苏:3 魏:3 吕:3 丁:3 任:3 沈:3 姚:3 卢:3
姜:2 崔:2 钟:2 谭:2 陆:2 汪:2 范:2 金:2 石:2 廖:2 贾:2 夏:2 韦:2 付:2 方:2 白:1 邹:1 孟:1 熊:1
秦:1 邱:1 江:1 尹:1 薛:1 闫:1 段:1 雷:1 侯:1 龙:1 史:1 陶:1 黎:1 贺:1 顾:1 毛:1 郝:1 龚:1 邵:1
万:1 钱:1 严:1 覃:1 武:1 戴:1 莫:1 孔:1 向:1 汤:1 欧阳:1 上官:1 司马:1 诸葛:1"""

SURNAMES: list[str] = []
SURNAME_WEIGHTS: list[float] = []
for _item in _SURNAMES.split():
    _name, _weight = _item.split(":")
    SURNAMES.append(_name)
    SURNAME_WEIGHTS.append(float(_weight))

MALE_CHARS = list(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳鸿博文志建国峰海亮晨昊然轩睿泽航远成康毅"
)
FEMALE_CHARS = list(
    "芳娜敏静丽艳娟霞燕玲婷雪慧倩颖琳晶欣怡佳悦璐蕾薇萍洁瑶丹露莉娅梦诗雯晓琪雅婧月秀"
)

# Characters companies like in their brand names (two of them make one brand).
BRAND_CHARS = list(
    "华信达恒鼎盛瑞博远通泰宏明新创联安康德成海天中金利嘉汇佳正兴源丰诚优捷智光星辰润和晟昊峰弘卓越腾飞宇航力科迪锐思睿凯欣荣益众合骏致齐美长永泽"
)

# Four disjoint suffixes per industry, so (city, brand, industry, slot) gives a unique name.
INDUSTRY_SUFFIXES: dict[str, list[str]] = {
    "制造业": ["机械制造有限公司", "精密工业有限公司", "电子制造有限公司", "新材料股份有限公司"],
    "IT/互联网": ["科技有限公司", "信息技术有限公司", "网络科技有限公司", "软件股份有限公司"],
    "金融": ["投资管理有限公司", "融资租赁有限公司", "资产管理有限公司", "金融服务有限公司"],
    "教育": ["教育科技有限公司", "培训学校", "职业技术学校", "文化教育有限公司"],
    "医疗": ["医疗器械有限公司", "医药股份有限公司", "生物科技有限公司", "健康管理有限公司"],
    "零售": ["商贸有限公司", "百货有限公司", "贸易有限公司", "连锁超市有限公司"],
    "房地产": ["置业有限公司", "房地产开发有限公司", "物业管理有限公司", "建设集团有限公司"],
    "物流": ["物流有限公司", "供应链管理有限公司", "国际货运代理有限公司", "快运有限公司"],
    "能源": ["能源科技有限公司", "新能源有限公司", "电力工程有限公司", "燃气有限公司"],
    "政府": [
        "城市建设投资有限公司",
        "公用事业发展有限公司",
        "产业投资发展有限公司",
        "国有资产经营有限公司",
    ],
}
GENERIC_SUFFIXES = ["实业有限公司", "集团有限公司", "发展有限公司", "企业管理有限公司"]

CONTACT_TITLES = [
    "总经理",
    "副总经理",
    "董事长",
    "采购经理",
    "技术总监",
    "财务总监",
    "采购专员",
    "IT经理",
    "信息中心主任",
    "财务经理",
    "行政经理",
    "运营总监",
    "项目经理",
    "市场经理",
]
DECISION_TITLES = 6  # the first six titles above decide purchases

ROADS = list(
    [
        "人民路",
        "解放路",
        "中山路",
        "建设路",
        "文化路",
        "和平路",
        "长江路",
        "黄河路",
        "科技路",
        "创业路",
        "新华路",
        "胜利路",
        "东风路",
        "延安路",
        "湖滨路",
        "学院路",
        "高新大道",
        "世纪大道",
        "滨江大道",
        "金融街",
        "工业园路",
        "发展大道",
        "振兴路",
        "迎宾大道",
        "幸福路",
        "光明路",
        "青年路",
        "朝阳路",
    ]
)
ZONES = ["", "", "高新区", "经济技术开发区", "", "新区"]
BUILDINGS = [
    "",
    "",
    "国际大厦",
    "科技大厦",
    "金融中心",
    "商务中心",
    "创业园",
    "软件园",
    "财富广场",
    "中心大厦",
]

# Real mobile number prefixes (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = [
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "178",
    "182",
    "183",
    "184",
    "187",
    "188",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "166",
    "175",
    "176",
    "185",
    "186",
    "133",
    "149",
    "153",
    "173",
    "177",
    "180",
    "181",
    "189",
    "191",
    "199",
]
EMAIL_DOMAINS = ["163.com", "qq.com", "126.com", "sina.com", "foxmail.com"]
COMPANY_EMAIL_DOMAIN = "demo.lianluo.cn"


def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text))


def initials(text: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(text) if p)
