"""The demo's names: Yulin (榆林), its 12 counties and districts, the Party organizations of
its departments, state-owned enterprises and schools, townships of the counties, inspectors,
and problems worded as inspection reports word them, by 四个落实 category."""

from __future__ import annotations

from xuncha.projections.taxonomy import (
    ORGANIZATIONAL_LINE,
    PARTY_LINE,
    RECTIFICATION,
    STRICT_GOVERNANCE,
)

CITY = ("yulin", "榆林市", "中共榆林市委")

COUNTIES = [
    ("yuyang", "榆阳区", "district"),
    ("hengshan", "横山区", "district"),
    ("shenmu", "神木市", "county"),
    ("fugu", "府谷县", "county"),
    ("jingbian", "靖边县", "county"),
    ("dingbian", "定边县", "county"),
    ("suide", "绥德县", "county"),
    ("mizhi", "米脂县", "county"),
    ("jiaxian", "佳县", "county"),
    ("wubu", "吴堡县", "county"),
    ("qingjian", "清涧县", "county"),
    ("zizhou", "子洲县", "county"),
]

# (organization id, name, type) of the city's inspected Party organizations (49).
_DEPARTMENTS = [
    ("fgw", "中共榆林市发展和改革委员会党组"),
    ("jyj", "中共榆林市教育局党组"),
    ("kjj", "市科学技术局党组"),
    ("gxj", "市工业和信息化局党组"),
    ("mzj", "市民政局党组"),
    ("sfj", "市司法局党组"),
    ("czj", "市财政局党组"),
    ("rsj", "市人力资源和社会保障局党组"),
    ("zrzyj", "市自然资源局党组"),
    ("sthjj", "市生态环境局党组"),
    ("zjj", "市住房和城乡建设局党组"),
    ("jtj", "市交通运输局党组"),
    ("swj", "市水务局党组"),
    ("nyncj", "市农业农村局党组"),
    ("swuj", "市商务局党组"),
    ("wlj", "市文化和旅游局党组"),
    ("wjw", "市卫生健康委员会党组"),
    ("tyjrj", "市退役军人事务局党组"),
    ("yjj", "市应急管理局党组"),
    ("sjj", "市审计局党组"),
    ("gzw", "中共榆林市人民政府国有资产监督管理委员会委员会"),
    ("scjgj", "市市场监督管理局党组"),
    ("tjj", "市统计局党组"),
    ("lyj", "市林业局党组"),
    ("ybj", "市医疗保障局党组"),
    ("xczxj", "市乡村振兴局党组"),
    ("xfj", "市信访局党组"),
    ("nyj", "市能源局党组"),
    ("cgj", "市城市管理执法局党组"),
    ("spj", "市行政审批服务局党组"),
    ("tiyj", "市体育局党组"),
    ("jgswj", "市机关事务管理局党组"),
    ("lsj", "市粮食和物资储备局党组"),
    ("sjzj", "市数据局党组"),
    ("gxs", "市供销合作社党组"),
    ("zgh", "市总工会党组"),
    ("fl", "市妇女联合会党组"),
]
_ENTERPRISES = [
    ("ctjt", "榆林市城市投资经营集团有限公司党委"),
    ("nyjt", "榆林能源集团有限公司党委"),
    ("jtjt", "榆林市交通投资建设集团有限公司党委"),
    ("swjt", "榆林市水务集团有限公司党委"),
    ("nongtou", "榆林市农业投资集团有限公司党委"),
    ("wljt", "榆林市文化旅游投资集团有限公司党委"),
    ("gjjt", "榆林市公共交通集团有限公司党委"),
]
_SCHOOLS = [
    ("ylxy", "榆林学院党委"),
    ("ylzy", "榆林职业技术学院党委"),
    ("yz", "榆林市第一中学党委"),
    ("ez", "榆林市第二中学党委"),
    ("ylgz", "榆林高新区第一中学党委"),
]
CITY_ORGANIZATIONS: list[tuple[str, str, str]] = (
    [(f"yl-{k}", n, "department") for k, n in _DEPARTMENTS]
    + [(f"yl-{k}", n, "state_owned_enterprise") for k, n in _ENTERPRISES]
    + [(f"yl-{k}", n, "school") for k, n in _SCHOOLS]
)

# Two townships of each county (the first of each: the special round's targets).
TOWNSHIPS: dict[str, list[tuple[str, str]]] = {
    "yuyang": [("yuhe", "鱼河镇"), ("mahetai", "麻黄梁镇")],
    "hengshan": [("boluo", "波罗镇"), ("dianshi", "殿市镇")],
    "shenmu": [("daliuta", "大柳塔镇"), ("gaojiabao", "高家堡镇")],
    "fugu": [("gushan", "孤山镇"), ("huangfu", "皇甫镇")],
    "jingbian": [("zhangjiapan", "张家畔街道"), ("dongkeng", "东坑镇")],
    "dingbian": [("zhuanjing", "砖井镇"), ("anbian", "安边镇")],
    "suide": [("zhangjiabian", "张家砭镇"), ("yihe", "义合镇")],
    "mizhi": [("yinzhou", "银州街道"), ("yangjiagou", "杨家沟镇")],
    "jiaxian": [("jialu", "佳芦镇"), ("muta", "木头峪镇")],
    "wubu": [("songjiachuan", "宋家川街道"), ("xinguan", "辛家沟镇")],
    "qingjian": [("kuanzhou", "宽州镇"), ("zheguhe", "折家坪镇")],
    "zizhou": [("shuangmiao", "双湖峪街道"), ("majiaqu", "马蹄沟镇")],
}

# 37 inspectors of the talent pool and 4 outside experts (with their category).
INSPECTORS = [
    "王建军",
    "李志强",
    "张晓梅",
    "刘海涛",
    "陈国华",
    "杨丽娟",
    "赵文斌",
    "黄振宇",
    "周永刚",
    "吴秀兰",
    "徐卫东",
    "孙红霞",
    "胡建平",
    "朱海燕",
    "高志明",
    "林雪芹",
    "何宏伟",
    "郭慧敏",
    "马俊峰",
    "罗春燕",
    "梁国栋",
    "宋玉凤",
    "郑海军",
    "谢丽萍",
    "韩东升",
    "唐晓燕",
    "冯志刚",
    "于建华",
    "董文静",
    "曹继红",
    "袁明亮",
    "邓淑芳",
    "许振华",
    "傅立新",
    "沈佳怡",
    "白云飞",
    "贺建功",
]
EXPERTS = [
    ("retired_cadre", "呼延德胜"),
    ("accountant", "乔美玲"),
    ("auditor", "拓永平"),
    ("lawyer", "艾晓军"),
]

# (title, basis) of findings, by category of 四个落实 (projections.taxonomy).
PROBLEMS: dict[str, list[tuple[str, str]]] = {
    PARTY_LINE: [
        (
            "学习贯彻习近平新时代中国特色社会主义思想不够深入，理论学习中心组学习流于形式",
            "《中国共产党党委（党组）理论学习中心组学习规则》",
        ),
        (
            "贯彻落实黄河流域生态保护和高质量发展战略有差距，生态修复项目推进缓慢",
            "《中华人民共和国黄河保护法》",
        ),
        (
            "落实意识形态工作责任制不到位，阵地管理存在薄弱环节",
            "《党委（党组）意识形态工作责任制实施办法》",
        ),
        ("优化营商环境举措落实不力，涉企审批事项超时办理问题仍有发生", "《优化营商环境条例》"),
        (
            "巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作推进不够有力",
            "《中华人民共和国乡村振兴促进法》",
        ),
    ],
    STRICT_GOVERNANCE: [
        (
            "落实全面从严治党主体责任不到位，党组会议研究党风廉政建设工作次数偏少",
            "《党委（党组）落实全面从严治党主体责任规定》",
        ),
        ("违规发放津补贴问题仍有发生", "《中国共产党纪律处分条例》第一百零三条"),
        (
            "“三重一大”事项集体决策制度执行不严格",
            "《关于进一步推进国有企业贯彻落实“三重一大”决策制度的意见》",
        ),
        ("公务接待管理不规范，存在超标准接待现象", "中央八项规定及其实施细则精神"),
        ("工程项目招投标管理不严，存在化整为零规避招标问题", "《中华人民共和国招标投标法》第四条"),
        ("专项资金管理使用不规范，部分资金未按规定用途使用", "《中华人民共和国预算法》第五十七条"),
    ],
    ORGANIZATIONAL_LINE: [
        (
            "干部选拔任用工作不够规范，动议酝酿环节程序执行不到位",
            "《党政领导干部选拔任用工作条例》",
        ),
        ("基层党组织建设薄弱，“三会一课”制度落实不严格", "《中国共产党支部工作条例（试行）》"),
        (
            "领导干部个人有关事项报告不如实，抽查核实结果运用不够",
            "《领导干部报告个人有关事项规定》",
        ),
        ("党员发展和管理不规范，党费收缴不及时", "《中国共产党发展党员工作细则》"),
        (
            "人才队伍建设缺乏长远规划，年轻干部培养选拔力度不够",
            "《2019—2023年全国党政领导班子建设规划纲要》",
        ),
    ],
    RECTIFICATION: [
        ("上轮巡察反馈问题整改不彻底，部分问题仍有反弹", "《中国共产党巡视工作条例》第四十条"),
        (
            "审计发现问题整改不到位，整改台账管理不规范",
            "《关于建立健全审计查出问题整改长效机制的意见》",
        ),
        ("日常监督发现问题整改措施针对性不强，建章立制不够", "《中国共产党党内监督条例》"),
        (
            "整改责任落实不到位，整改报告存在避重就轻现象",
            "《关于加强巡视巡察整改和成果运用的意见》",
        ),
    ],
}

LEAD_ALLEGATIONS = [
    ("副局长", "反映其违规收受管理服务对象礼金"),
    ("科长", "反映其利用职务便利为亲属承揽工程提供帮助"),
    ("副总经理", "反映其在物资采购中违规指定供应商"),
    ("主任", "反映其违规操办婚丧喜庆事宜"),
    ("党支部书记", "反映其虚报冒领项目补助资金"),
    ("副院长", "反映其违规兼职取酬"),
]

PETITIONS = [
    "反映单位违规发放节日福利",
    "反映工程项目验收把关不严，存在质量问题",
    "反映干部提拔程序不规范",
    "反映惠民补贴资金发放不及时",
    "反映领导干部经常出入私人会所",
    "反映单位办事推诿扯皮、效率低下",
]
# (interviewee category, position) of individual talks (个别谈话).
INTERVIEWEES = [
    ("leadership_team", "党组成员、副局长"),
    ("discipline_head", "派驻纪检监察组组长"),
    ("organization_head", "人事科科长"),
    ("middle_manager", "办公室主任"),
    ("recent_retiree", "原党组成员、调研员"),
    ("staff", "一级科员"),
]

assert len(COUNTIES) == 12
assert len(CITY_ORGANIZATIONS) == 49
assert len(INSPECTORS) == 37
assert len(set(INSPECTORS)) == 37
