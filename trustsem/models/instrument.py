"""The research instrument: constructs, the bilingual item bank and its modules.

The trust questionnaire of ``research-model.md`` measures fourteen constructs
with 3-5 Likert items each, worded in English and Chinese. Module A holds the
seven antecedents of trust (platform reputation, platform assurance, merchant
reputation, product quality, information transparency, social recommendation,
usage experience), the three trust dimensions (functional TF, affective TA,
institutional TI), purchase intention (PI) and privacy concern (PC, a
moderator); module B adds perceived precision-marketing fit (PMF) and loyalty
(LOY). An item's construct is its name without the trailing number
(``PREP3`` measures ``PREP``).

Nothing here holds population values or fits a model: the lavaan syntax in
:mod:`trustsem.models` and the simulator :mod:`trustsem.data.simulate` both
read the instrument from this module.

Examples
--------
>>> from trustsem.models.instrument import CONSTRUCTS, construct_of
>>> CONSTRUCTS["TF"]
('TF1', 'TF2', 'TF3')
>>> construct_of("PREP3")
'PREP'
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..exceptions import SpecificationError

__all__ = [
    "ANTECEDENTS",
    "BACKGROUND_COLUMNS",
    "CONSTRUCTS",
    "CONSTRUCT_NAMES",
    "ITEMS",
    "MODULE_A",
    "MODULE_B",
    "OUTCOME_COLUMNS",
    "SCALE_MIN",
    "SCALE_POINTS",
    "TRUST_DIMENSIONS",
    "TRUST_SPECIFICATIONS",
    "construct_of",
    "item_bank",
]

#: The item bank: (item, English wording, Chinese wording), in questionnaire order.
ITEMS: tuple[tuple[str, str, str], ...] = (
    (
        "PREP1",
        "This platform has a good reputation among consumers.",
        "该平台在消费者中口碑良好。",
    ),
    (
        "PREP2",
        "This platform is well known and has a long operating history.",
        "该平台知名度高，运营历史较长。",
    ),
    (
        "PREP3",
        "This platform holds authoritative industry certifications.",
        "该平台获得了权威的行业认证。",
    ),
    (
        "PREP4",
        "People around me speak well of this platform.",
        "我身边的人对该平台评价很好。",
    ),
    (
        "PASS1",
        "The platform strictly vets merchants before they can sell.",
        "平台对入驻商家的资质审核严格。",
    ),
    (
        "PASS2",
        "The platform handles complaints and disputes promptly and fairly.",
        "平台能及时、公正地处理投诉和交易纠纷。",
    ),
    (
        "PASS3",
        "The platform's return, refund and compensation policies protect my interests.",
        "平台的退换货和先行赔付政策能保障我的权益。",
    ),
    (
        "PASS4",
        "Payment on this platform is secure.",
        "在该平台支付是安全的。",
    ),
    (
        "PASS5",
        "The platform protects my personal information and clearly explains how it is used.",
        "平台会保护我的个人信息，并清楚告知其使用方式。",
    ),
    (
        "MREP1",
        "The merchants I buy from here have good ratings and reputations.",
        "我在该平台购买的商家信誉和评分良好。",
    ),
    (
        "MREP2",
        "Merchants answer my questions quickly and courteously.",
        "商家能迅速、礼貌地回答我的问题。",
    ),
    (
        "MREP3",
        "Merchants handle after-sales problems responsibly.",
        "商家能负责任地处理售后问题。",
    ),
    (
        "MREP4",
        "Merchants here do not exaggerate or advertise falsely.",
        "该平台的商家不会夸大或虚假宣传。",
    ),
    (
        "PQ1",
        "Products I receive match their descriptions.",
        "我收到的商品与描述相符。",
    ),
    (
        "PQ2",
        "The quality of products on this platform is consistently good.",
        "该平台商品质量稳定可靠。",
    ),
    (
        "PQ3",
        "Products come with test reports, certification or traceable origin.",
        "商品附有检测报告、认证或可追溯的来源信息。",
    ),
    (
        "INFO1",
        "Product details (specifications, materials, production date, certification) are complete.",
        "商品详情（规格、材质、生产日期、认证等）信息完整。",
    ),
    (
        "INFO2",
        "I can track order and logistics status in real time.",
        "我可以实时追踪订单和物流状态。",
    ),
    (
        "INFO3",
        "Reviews shown are genuine and detailed, including negative ones.",
        "平台展示的评价真实、详细，包括差评。",
    ),
    (
        "INFO4",
        "Fees, return policies and platform rules are clearly disclosed.",
        "费用、退换货政策和平台规则都公开透明。",
    ),
    (
        "SOC1",
        "Recommendations from friends or acquaintances influence what I buy here.",
        "亲友或熟人的推荐会影响我在该平台的购买。",
    ),
    (
        "SOC2",
        "Content from KOLs/KOCs I follow on this platform is credible.",
        "我关注的达人（KOL/KOC）在该平台分享的内容可信。",
    ),
    (
        "SOC3",
        'Other users\' shared experiences (UGC, "晒单") are helpful.',
        "其他用户分享的使用体验（晒单等）对我很有帮助。",
    ),
    (
        "SOC4",
        "Interaction in this platform's community (comments, group-buying) is active and genuine.",
        "该平台社群中的互动（评论、拼团等）活跃而真实。",
    ),
    (
        "EXP1",
        "I have bought things on this platform many times.",
        "我在该平台购物过很多次。",
    ),
    (
        "EXP2",
        "I am familiar with this platform's shopping and after-sales processes.",
        "我熟悉该平台的购物和售后流程。",
    ),
    (
        "EXP3",
        "My past purchases here have met my expectations.",
        "我以往在该平台的购物都达到了我的预期。",
    ),
    (
        "TF1",
        "I believe this platform can reliably deliver what it promises"
        " (payment, delivery, after-sales).",
        "我相信该平台能可靠地兑现承诺（支付、配送、售后）。",
    ),
    (
        "TF2",
        "Information provided on this platform is reliable.",
        "该平台提供的信息是可靠的。",
    ),
    (
        "TF3",
        "Transactions on this platform are completed securely and efficiently.",
        "在该平台上的交易能安全、高效地完成。",
    ),
    (
        "TA1",
        "I feel at ease (安心) when shopping on this platform.",
        "在该平台购物让我感到安心。",
    ),
    (
        "TA2",
        "I feel this platform genuinely cares about its users.",
        "我感觉该平台真正关心用户。",
    ),
    (
        "TA3",
        "I feel a sense of belonging to this platform and its community.",
        "我对该平台及其社群有归属感。",
    ),
    (
        "TI1",
        "The platform's rules and credit/rating system make transactions here safe.",
        "平台的规则和信用评价体系让这里的交易有保障。",
    ),
    (
        "TI2",
        "Laws and regulations (e.g. the E-commerce Law) adequately protect me when I buy here.",
        "相关法律法规（如《电子商务法》）能充分保障我在此购物的权益。",
    ),
    (
        "TI3",
        "If something goes wrong, I am confident the guarantee mechanisms will make it right.",
        "即使出现问题，我相信保障机制会给我合理的解决。",
    ),
    (
        "PI1",
        "I intend to buy on this platform in the near future.",
        "我打算近期在该平台购物。",
    ),
    (
        "PI2",
        "This platform is my first choice when shopping online.",
        "网购时我会优先选择该平台。",
    ),
    (
        "PI3",
        "I am willing to buy products recommended to me on this platform.",
        "我愿意购买该平台向我推荐的商品。",
    ),
    (
        "PI4",
        "I would still buy here even if a similar product were slightly cheaper elsewhere.",
        "即使别处同类商品略便宜，我仍愿意在该平台购买。",
    ),
    (
        "PC1",
        "I worry that this platform collects too much personal information about me.",
        "我担心该平台收集了过多我的个人信息。",
    ),
    (
        "PC2",
        "I worry my data may be used for marketing without my consent.",
        "我担心我的数据会在未经同意的情况下被用于营销。",
    ),
    (
        "PC3",
        'Recommendations that seem to "know too much" about me make me uneasy.',
        '当推荐内容显得"过于了解我"时，我会感到不安。',
    ),
    (
        "PC4",
        "I worry my personal information may be leaked to third parties.",
        "我担心我的个人信息会泄露给第三方。",
    ),
    (
        "PMF1",
        "Recommendations I receive match my interests.",
        "我收到的推荐符合我的兴趣。",
    ),
    (
        "PMF2",
        "Promotions pushed to me are relevant to my needs.",
        "推送给我的优惠信息与我的需求相关。",
    ),
    (
        "PMF3",
        "Recommended products turn out as advertised.",
        "推荐的商品与广告描述一致。",
    ),
    (
        "PMF4",
        "Personalised recommendations save me search time.",
        "个性化推荐节省了我挑选商品的时间。",
    ),
    (
        "LOY1",
        "I will continue buying on this platform.",
        "我会继续在该平台购物。",
    ),
    (
        "LOY2",
        "I will recommend this platform to friends and family.",
        "我会向亲友推荐该平台。",
    ),
    (
        "LOY3",
        "I would share products from this platform with my social circle.",
        "我愿意把该平台的商品分享到我的社交圈。",
    ),
)


def construct_of(item: str) -> str:
    """The construct an item measures: its name without the trailing number.

    Parameters
    ----------
    item : str
        An item name such as ``"PREP3"``.

    Returns
    -------
    str
        The construct, e.g. ``"PREP"``.
    """
    return item.rstrip("0123456789")


#: Items of each construct, in questionnaire order.
CONSTRUCTS: dict[str, tuple[str, ...]] = {}
for _item, _en, _zh in ITEMS:
    _c = construct_of(_item)
    CONSTRUCTS[_c] = CONSTRUCTS.get(_c, ()) + (_item,)
del _item, _en, _zh, _c

#: What each construct measures.
CONSTRUCT_NAMES: dict[str, str] = {
    "PREP": "platform reputation",
    "PASS": "platform supervision and assurance",
    "MREP": "merchant reputation and service",
    "PQ": "product quality",
    "INFO": "information transparency",
    "SOC": "social recommendation and community",
    "EXP": "usage experience",
    "TF": "functional (cognitive) trust",
    "TA": "affective trust",
    "TI": "institutional trust",
    "PI": "purchase intention",
    "PC": "privacy concern (moderator)",
    "PMF": "perceived precision-marketing fit (module B)",
    "LOY": "repurchase and recommendation intention (module B)",
}

#: The seven antecedents of trust (hypotheses H1-H7).
ANTECEDENTS: tuple[str, ...] = ("PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP")
#: The three trust dimensions: functional, affective and institutional trust.
TRUST_DIMENSIONS: tuple[str, ...] = ("TF", "TA", "TI")
#: Constructs of the optional module B (precision marketing and loyalty).
MODULE_B: tuple[str, ...] = ("PMF", "LOY")
#: Constructs of the core questionnaire (module A), in questionnaire order.
MODULE_A: tuple[str, ...] = tuple(c for c in CONSTRUCTS if c not in MODULE_B)

#: The four trust structures of research-model.md ("Alternative trust specifications").
TRUST_SPECIFICATIONS: tuple[str, ...] = (
    "unidimensional",
    "correlated",
    "second_order",
    "chain",
)

#: Lowest answer of every Likert item (1 = strongly disagree).
SCALE_MIN = 1
#: Numbers of Likert categories the questionnaire is fielded with.
SCALE_POINTS: tuple[int, ...] = (5, 7)

#: Background questions asked before the items: (column, type, English label,
#: Chinese label).
BACKGROUND_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("resp_id", "id", "Respondent ID", "受访者编号"),
    ("age_band", "categorical", "Age group", "年龄段"),
    ("gender", "categorical", "Gender", "性别"),
    ("platform_type", "categorical", "Platform type (C2C/B2C/O2O)",
     "平台类型（C2C/B2C/O2O）"),
    ("tenure_years", "numeric", "Years of using this platform", "使用该平台的年限（年）"),
    ("purchases_12m", "numeric", "Number of purchases on this platform in the last 12 months",
     "过去12个月在该平台的购买次数"),
    ("pm_exposed", "categorical", "Has received precision-marketing pushes (1 = yes, 0 = no)",
     "接受过精准营销推送（1=是，0=否）"),
)  # fmt: skip
#: Behavioural outcomes and paradata recorded after the items, same layout.
OUTCOME_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("repurchase", "categorical", "Repurchased on this platform (1 = yes, 0 = no)",
     "是否在该平台复购（1=是，0=否）"),
    ("shares", "numeric", "Number of times products from this platform were shared",
     "分享该平台商品的次数"),
    ("duration_sec", "numeric", "Survey completion time (seconds)", "问卷填写时长（秒）"),
)  # fmt: skip



def item_bank(constructs: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the bilingual item bank of the research model.

    Parameters
    ----------
    constructs : sequence of str, optional
        Constructs to keep (default: all 14).

    Returns
    -------
    pandas.DataFrame
        Columns ``item, construct, label_en, label_zh`` in questionnaire order.

    Raises
    ------
    SpecificationError
        If a construct is unknown.
    """
    rows = [(item, construct_of(item), en, zh) for item, en, zh in ITEMS]
    out = pd.DataFrame(rows, columns=["item", "construct", "label_en", "label_zh"])
    if constructs is not None:
        unknown = [c for c in constructs if c not in CONSTRUCTS]
        if unknown:
            raise SpecificationError(
                f"Unknown construct(s) {unknown}; available: {list(CONSTRUCTS)}."
            )
        out = out[out["construct"].isin(list(constructs))].reset_index(drop=True)
    return out
