"""Narrative text of realistic length for generated agencies (sections 一, 五 and 六).

Sentences are drawn from pools written in the style of published reports (see
tests/reference/huaian-2024-report.pdf.txt), with the agency's field of work and random
figures put in. The one paragraph that quotes table figures (applications, appeals) is built
from the tables, so the narrative agrees with them (rule R8); section 六 always reports the
information processing fee (rule R9). Sections come out at roughly 300 to 2,000 characters.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

# (department, what it is responsible for: put into sentences as {field})
DEPARTMENTS = (
    ("人民政府办公室", "政府重大决策、重要政策和重点工作"), ("发展和改革局", "重大项目建设、价格监管和发展规划"),
    ("教育局", "招生入学、教育收费和校园安全"), ("科学技术局", "科技项目申报、科技企业培育和成果转化"),
    ("工业和信息化局", "企业技术改造、中小企业服务和产业政策"), ("公安局", "户籍管理、交通管理和治安行政处罚"),
    ("民政局", "社会救助、养老服务和社会组织管理"), ("司法局", "行政复议、法律援助和普法宣传"),
    ("财政局", "预算决算、政府采购和财政资金管理"), ("人力资源和社会保障局", "就业创业、社会保险和劳动关系"),
    ("自然资源和规划局", "国土空间规划、土地供应和不动产登记"), ("生态环境局", "环境质量、环评审批和环境执法"),
    ("住房和城乡建设局", "保障性住房、城市更新和建筑市场监管"), ("交通运输局", "交通建设项目、道路运输管理和公交出行服务"),
    ("水利局", "防汛抗旱、水资源管理和水利工程建设"), ("农业农村局", "惠农补贴、农产品质量安全和乡村建设"),
    ("商务局", "消费促进、外贸外资和市场体系建设"), ("文化广电旅游局", "公共文化服务、文旅市场监管和文物保护"),
    ("卫生健康局", "医疗服务、公共卫生和疾病预防控制"), ("退役军人事务局", "优抚安置、褒扬纪念和就业扶持"),
    ("应急管理局", "安全生产、防灾减灾和应急救援"), ("审计局", "审计计划、审计结果和整改情况"),
    ("市场监督管理局", "市场主体登记、食品药品安全和质量监管"), ("统计局", "统计数据发布、统计调查和统计执法"),
    ("医疗保障局", "医保待遇、医药价格和基金监管"), ("城市管理局", "市容环境、市政设施和城管执法"),
    ("林业局", "森林资源保护、林木采伐和野生动植物保护"), ("体育局", "全民健身、体育场馆和体育赛事"),
    ("信访局", "信访事项办理和群众诉求化解"), ("数据局", "政务数据共享、公共数据开放和数字政府建设"),
    ("行政审批局", "行政许可、政务服务和“一网通办”"), ("粮食和物资储备局", "粮食储备、物资保障和粮食流通监管"),
    ("人民防空办公室", "人防工程建设和防空防灾宣传"), ("机关事务管理局", "公务用车、办公用房和公共机构节能"),
    ("档案馆", "档案开放、档案利用和档案安全"), ("地方金融管理局", "地方金融组织监管和防范非法集资"),
    ("税务局", "税费优惠政策、纳税服务和税务行政处罚"), ("消防救援大队", "消防安全检查和火灾隐患整改"),
    ("供销合作社", "农资供应、农产品流通和为农服务"), ("残疾人联合会", "残疾人就业、康复和社会保障"),
    ("街道办事处", "社区治理、便民服务和基层民生事项"), ("镇人民政府", "乡村振兴、惠农资金和村务公开"),
    ("住房公积金管理中心", "公积金缴存、提取和贷款"), ("公共资源交易中心", "工程招投标、政府采购和产权交易"),
    ("气象局", "气象灾害预警和气象服务"),
)

CITIES = ("东湖", "青川", "南屏", "北辰", "西津", "临江", "平阳", "云溪", "安澜", "长宁",
          "明州", "清河", "白沙", "金城", "石桥", "丰乐", "兴安", "永宁", "鹤山", "柳江")
DISTRICTS = ("城东区", "城西区", "新城区", "高新区", "滨江区", "江北区", "开发区", "东港区",
             "清源县", "丰宁县", "石门县", "永和县")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慧建国晓红海燕志强玉兰春梅文斌"


def agency_name(i: int) -> str:
    """A unique, plausible agency name for roster position ``i`` (10,800 before repeating)."""
    dept = DEPARTMENTS[i % len(DEPARTMENTS)][0]
    place = i // len(DEPARTMENTS)
    city, district = CITIES[place % len(CITIES)], DISTRICTS[(place // len(CITIES)) % len(DISTRICTS)]
    return f"{city}市{district}{dept}"


def department_field(i: int) -> str:
    return DEPARTMENTS[i % len(DEPARTMENTS)][1]


def contact(rng: random.Random, area: str) -> dict[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    return {"meta_contact": f"办公室 {name}", "meta_phone": f"0{area}-{rng.randint(80000000, 89999999)}"}


# --- sentence pools ------------------------------------------------------------------------------
# Placeholders: {year}, {field}, {big} (tens to thousands) and {n1}, {n2} (small counts), drawn
# per sentence. A subsection is its heading plus one or more sentences of its pool.

_LEAD = (
    "{year}年，本单位坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "按照上级政务公开工作要点的部署，围绕{field}等群众关注事项，扎实做好政府信息公开各项工作。",
    "{year}年，本单位坚持“以公开为常态、不公开为例外”原则，把政府信息公开作为推进依法行政、建设法治政府的重要抓手，"
    "聚焦{field}等重点领域，持续提升政府信息公开的质量和实效。",
    "{year}年以来，本单位认真落实政府信息公开各项规定，主要负责同志专题研究政务公开工作{n1}次，"
    "围绕{field}深化重点领域信息公开，政府信息公开工作取得新进展。",
)
_ACTIVE = ("（一）主动公开情况。", (
    "全年通过政府门户网站本单位专栏主动公开政府信息{big}条，其中政策文件{n1}件，围绕{field}发布政策解读{n2}篇，"
    "采用图解、视频、问答等多种形式，提升政策解读的可读性。",
    "严格落实主动公开目录，按时公开年度预算决算、重点项目进展和“双公示”信息，及时更新机构职能、"
    "领导信息和办事指南{n1}项。",
    "聚焦{field}，通过政府网站、政务新媒体和新闻发布会等渠道主动发布信息{big}条，召开新闻发布会{n1}场，"
    "开展“政策进社区”“政府开放日”等活动{n2}次，努力传递政府声音、回应社会关切。",
    "坚持政策制定与解读同步部署，对涉及群众切身利益的政策文件，在公开文件的同时发布解读材料，"
    "全年组织主要负责同志解读重要政策{n1}次。",
    "加强重点领域信息公开，及时公开财政资金使用、公共资源配置和公共服务事项，做到应公开尽公开。",
    "建立政务舆情监测和回应机制，对网民留言和媒体报道中涉及本单位的问题及时调查核实，全年回应社会关切{n2}次。",
    "规范行政规范性文件的制发和公开，实行统一登记、统一编号、统一公布，所有行政规范性文件均在印发后"
    "二十个工作日内在政府网站公开。",
))
_MANAGE = ("（三）政府信息管理情况。", (
    "落实政府信息公开属性源头认定机制，公文在起草时即明确公开属性；严格执行“先审查、后公开”“一事一审”制度，"
    "全年审核拟公开信息{big}条，未发生泄密事件。",
    "对已公开的政府信息进行全面梳理，动态调整主动公开目录，清理过期失效信息{big}条；建立健全政府信息公开保密审查"
    "协调机制，规范审查程序。",
    "按照政府信息公开指南的要求，及时更新本单位政府信息公开指南和公开目录，完善政府信息发布、更新、撤销的"
    "全流程管理，全年修订内部工作制度{n1}项。",
))
_PLATFORM = ("（四）政府信息公开平台建设情况。", (
    "持续优化政府网站政务公开专栏，新增{field}专题栏目{n1}个，完善站内搜索功能，方便群众查找和获取信息。",
    "以政府网站为主要平台，以政务微信、政务微博和客户端为补充，推动信息同步发布，全年通过政务新媒体发布信息{big}条。",
    "在政务服务大厅设置政府信息公开查阅点，全年接待现场查阅{big}人次。",
    "规范政务公开专区建设，完善线上线下融合的公开服务体系，对网站栏目开展日常巡查{n2}次，及时整改栏目不更新、"
    "链接失效等问题。",
))
_OVERSIGHT = ("（五）政府信息公开监督保障情况。", (
    "将政务公开工作纳入年度目标考核，明确分管领导和专人负责，组织政务公开业务培训{n1}次，参训人员{big}人次。",
    "建立政务公开工作定期检查和通报制度，全年开展自查{n1}次，对发现的问题逐项整改；主动接受社会监督，"
    "畅通意见建议反馈渠道。",
    "落实政务公开工作责任制，把政务公开纳入干部教育培训内容；配合上级部门开展政务公开第三方评估，"
    "评估发现的问题均已整改。",
    "全年未发生因政府信息公开工作被责任追究的情况。",
))
_PROBLEMS = (
    "政策解读的针对性和通俗性还不够强，部分解读材料仍以文字为主，图解、视频等形式运用不多",
    "个别栏目信息更新不够及时，内容还不够丰富，与群众的期待仍有差距",
    "依申请公开答复文书的规范化水平有待进一步提高，个别答复说理不够充分",
    "政务公开工作人员多为兼职，业务能力参差不齐，人员流动较快",
    "基层政务公开标准化规范化建设还需深化，公开事项目录的动态调整不够及时",
)
_ORDINALS = "一二三四五六"
_IMPROVE = (
    "针对上述问题，下一步将加强政策解读，坚持政策文件与解读材料同步组织、同步审签、同步部署，"
    "丰富解读形式，提高解读质量。",
    "建立栏目更新提醒和定期巡查机制，明确各栏目责任科室和更新时限，确保信息发布及时、准确、完整。",
    "加强依申请公开答复文书的审核把关，必要时征求法律顾问意见，提升答复的规范性和说理性。",
    "加强政务公开队伍建设，定期组织业务培训和经验交流，建立“传帮带”机制，提升工作人员业务水平。",
    "对照基层政务公开标准目录，动态调整公开事项，推动公开内容与群众需求更加精准对接。",
)
_LAST_YEAR = (
    "上年度报告提出的改进措施已基本落实：调整充实了信息公开工作力量，完成了主动公开目录的梳理更新，"
    "政策解读的比例和质量均有提高。",
    "对上年度报告中提出的问题，本单位逐项制定整改措施，已完成栏目优化和制度修订，相关问题得到有效解决。",
)
_OTHER = (
    "本单位严格落实人大代表建议和政协提案办理工作要求，全年承办人大代表建议{n1}件、政协提案{n2}件，"
    "均按期办结，办理复文依法公开。",
    "落实政务公开工作要点情况：围绕{field}，全年组织开展政务公开专项检查{n1}次，推进基层政务公开标准化规范化，"
    "更新完善公开事项标准目录{n2}项，各项任务均按时完成。",
    "政务开放活动情况：本年度组织开展“政府开放日”活动{n1}场，邀请人大代表、政协委员、媒体记者和群众代表"
    "{big}人次走进机关，现场了解{field}工作，收集意见建议并逐条答复。",
    "本年度政务公开工作接受上级评估情况：本单位在年度政务公开第三方评估中发现的问题均已完成整改，"
    "整改情况已通过政府网站向社会公开。",
)


def _fill(rng: random.Random, sentence: str, year: int, field: str) -> str:
    return sentence.format(year=year, field=field, big=int(rng.lognormvariate(5.5, 1.0)) + 10,
                           n1=rng.randint(1, 12), n2=rng.randint(2, 30))


def _some(rng: random.Random, pool, k: tuple[int, int], year: int, field: str) -> list[str]:
    picked = sorted(rng.sample(range(len(pool)), min(len(pool), rng.randint(*k))))
    return [_fill(rng, pool[i], year, field) for i in picked]


def _subsection(rng: random.Random, part: tuple[str, tuple[str, ...]], k: tuple[int, int], year: int,
                field: str) -> str:
    heading, pool = part
    return heading + "".join(_some(rng, pool, k, year, field))


def figures_paragraph(f: Mapping[str, int | float], quote_new: int | None = None) -> str:
    """The paragraph on applications and appeals, quoting the tables. ``quote_new`` quotes a
    different count of new applications (the R8 fault)."""
    new, carried_in = f["t3_new_total"], f["t3_carried_in_total"]
    closed, carried_out = f["t3_closed_total_total"], f["t3_carried_out_total"]
    review, lawsuits = f["t4_review_total"], f["t4_direct_total"] + f["t4_after_total"]
    if new == 0 and carried_in == 0 and quote_new is None:
        text = "（二）依申请公开情况。本年度未收到政府信息公开申请，也没有上年结转的申请。"
    else:
        text = (f"（二）依申请公开情况。全年共收到政府信息公开申请{new if quote_new is None else quote_new}件，"
                f"上年结转{carried_in}件，已办结{closed}件，其中予以公开{f['t3_granted_total']}件、"
                f"部分公开{f['t3_partial_total']}件，结转下年度继续办理{carried_out}件，均在法定期限内答复。")
    if review or lawsuits:
        text += f"因政府信息公开工作被申请行政复议{review}件、被提起行政诉讼{lawsuits}件，均依法办理。"
    else:
        text += "全年未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"
    return text


def narratives(rng: random.Random, year: int, field: str, f: Mapping[str, int | float],
               quote_new: int | None = None) -> dict[str, str]:
    """Sections 一 (overview), 五 (problems) and 六 (other_matters) for one agency."""
    overview = [_fill(rng, rng.choice(_LEAD), year, field),
                _subsection(rng, _ACTIVE, (2, 5), year, field),
                figures_paragraph(f, quote_new),
                _subsection(rng, _MANAGE, (1, 3), year, field),
                _subsection(rng, _PLATFORM, (1, 3), year, field),
                _subsection(rng, _OVERSIGHT, (1, 3), year, field)]
    found = sorted(rng.sample(range(len(_PROBLEMS)), rng.randint(2, 4)))
    problems = ["本年度政府信息公开工作虽取得一定成效，但对照上级要求和群众期待，仍存在一些不足："
                + "；".join(f"{_ORDINALS[k]}是{_PROBLEMS[i]}" for k, i in enumerate(found)) + "。",
                *_some(rng, _IMPROVE, (2, 4), year, field),
                rng.choice(_LAST_YEAR)]
    unpaid = f["t3_other_unpaid_total"]
    fee = (f"本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），向{unpaid}名申请人发出收费通知，"
           "申请人逾期未缴纳费用，相关申请不再处理，实际未收取信息处理费。") if unpaid else \
        "本年度本单位未依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费。"
    other = [fee, *_some(rng, _OTHER, (1, 4), year, field)]
    return {"overview": "\n".join(overview), "problems": "\n".join(problems), "other_matters": "\n".join(other)}
