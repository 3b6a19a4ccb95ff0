"""A generated set of press releases and their republished copies, for measuring republish detection.

Each *story* is a release of one organisation in one city (the way municipalities, welfare offices and universities
publish), written from templates and a topical vocabulary, with the organisation's boilerplate opener and closing
paragraph. Its *copies* are what other outlets make of it, each with a few of these changes:

- ``headline``: a new headline; ``no_lead``: the lead dropped; ``lead_in_body``: the lead moved into the body;
- ``attribution``: «به گزارش <first outlet>،» put in front; ``trailer``: «انتهای پیام», a source line, a footer;
- ``related``: a related-news list with other stories' headlines; ``trimmed``: paragraphs cut from the end or middle;
- ``spaces``: every half-space turned into a space; ``arabic``: ی/ک written as Arabic ي/ك.

*Hard negatives*: each organisation publishes two or three different releases on the same day, on the same topic,
sharing its opener, its officials and its closing boilerplate (two «روابط عمومی» releases of one office must not
merge). Used by tests/test_stories.py and bench/monitoring.py (imported by path); deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TEHRAN = ZoneInfo("Asia/Tehran")
ZWNJ = "\u200c"

VARIANTS = ("headline", "no_lead", "lead_in_body", "attribution", "trailer", "related", "trimmed", "spaces",
            "arabic")

OUTLETS = [("isna", "ایسنا"), ("irna", "ایرنا"), ("mehr", "خبرگزاری مهر"), ("tasnim", "خبرگزاری تسنیم"),
           ("ilna", "ایلنا"), ("yjc", "باشگاه خبرنگاران جوان"), ("fararu", "فرارو"), ("tabnak", "تابناک"),
           ("asriran", "عصر ایران"), ("khabaronline", "خبرآنلاین"), ("hamshahrionline", "همشهری آنلاین"),
           ("borna", "خبرگزاری برنا"), ("imna", "ایمنا"), ("salamatnews", "سلامت نیوز"), ("rokna", "رکنا")]

ORGS = [
    ("اداره کل بهزیستی استان", "مدیرکل بهزیستی استان", ["مددجویان", "توان‌بخشی", "معلولان", "مراکز مشاوره",
     "خانواده‌های نیازمند", "کودکان کار", "سالمندان", "مستمری", "اشتغال‌زایی", "خدمات بهزیستی"]),
    ("شهرداری", "شهردار", ["ناوگان اتوبوسرانی", "پیاده‌راه", "بوستان‌ها", "پسماند", "معابر", "پروژه‌های عمرانی",
     "زیرگذر", "آسفالت", "فضای سبز", "ایستگاه‌های مترو"]),
    ("دانشگاه علوم پزشکی", "رئیس دانشگاه علوم پزشکی", ["بیمارستان‌ها", "تخت‌های ویژه", "واکسیناسیون", "اورژانس",
     "پزشکان متخصص", "مراکز بهداشت", "داروخانه‌ها", "بیماران دیابتی", "غربالگری", "پرستاران"]),
    ("شرکت آب و فاضلاب", "مدیرعامل شرکت آب و فاضلاب", ["مخازن ذخیره", "شبکه توزیع", "انشعاب‌ها", "کم‌آبی",
     "مصرف خانگی", "چاه‌های آب شرب", "تصفیه‌خانه", "فشار آب", "لوله‌گذاری", "مشترکان پرمصرف"]),
    ("اداره کل راه و شهرسازی", "مدیرکل راه و شهرسازی", ["مسکن ملی", "واحدهای مسکونی", "زمین‌های دولتی",
     "طرح جامع", "بافت فرسوده", "پروانه ساخت", "متقاضیان مسکن", "راه‌های روستایی", "تفکیک اراضی", "آماده‌سازی"]),
    ("کمیته امداد", "مدیرکل کمیته امداد", ["جهیزیه", "وام قرض‌الحسنه", "مددجویان", "اشتغال", "حامیان ایتام",
     "بسته‌های معیشتی", "دانش‌آموزان نیازمند", "مسکن محرومان", "طرح اکرام", "خیران"]),
    ("سازمان آتش‌نشانی", "رئیس سازمان آتش‌نشانی", ["حریق", "ایستگاه‌های آتش‌نشانی", "نجات‌گران", "مانور",
     "ساختمان‌های ناایمن", "خودروهای امدادی", "تجهیزات اطفای حریق", "آموزش همگانی", "حوادث", "چهارشنبه‌سوری"]),
    ("اداره کل میراث فرهنگی", "مدیرکل میراث فرهنگی", ["بناهای تاریخی", "گردشگران", "مرمت", "موزه‌ها",
     "صنایع‌دستی", "اقامتگاه‌های بوم‌گردی", "ثبت ملی", "کاوش باستانی", "تورهای گردشگری", "بازارچه‌ها"]),
    ("اداره کل آموزش و پرورش", "مدیرکل آموزش و پرورش", ["مدارس", "کلاس‌های درس", "معلمان", "دانش‌آموزان",
     "نوسازی مدارس", "کتاب‌های درسی", "ثبت‌نام", "سرویس مدارس", "هنرستان‌ها", "المپیاد"]),
    ("سازمان تأمین اجتماعی استان", "مدیرکل تأمین اجتماعی استان", ["بیمه‌شدگان", "مستمری‌بگیران", "کارفرمایان",
     "حق بیمه", "درمانگاه‌ها", "بازنشستگان", "بیمه بیکاری", "کارگران ساختمانی", "پرونده‌ها", "دفاتر پیشخوان"]),
]
CITIES = ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "کرمان", "یزد", "رشت", "اهواز", "قزوین", "همدان", "زنجان",
          "اراک", "ساری", "کرمانشاه", "بوشهر"]
FIRST = ["علی", "محمد", "حسین", "رضا", "مهدی", "زهرا", "فاطمه", "مریم", "سعید", "حمید", "مجید", "نرگس", "احمد"]
LAST = ["رضایی", "محمدی", "کریمی", "حسینی", "موسوی", "احمدی", "جعفری", "نوروزی", "صادقی", "رحیمی", "کاظمی"]

VERBS = ["اعلام کرد", "خبر داد", "گفت", "تأکید کرد", "افزود", "اظهار داشت", "یادآور شد", "توضیح داد"]
ACTIONS = ["آغاز شده است", "به پایان رسید", "افزایش یافته است", "کاهش پیدا کرده است", "در دست اجراست",
           "تا پایان سال تکمیل می‌شود", "به بهره‌برداری می‌رسد", "در حال بررسی است", "اجرایی خواهد شد",
           "دو برابر شده است", "پیگیری می‌شود", "با مشارکت خیران انجام می‌شود"]
LINKERS = ["همچنین", "در همین حال", "از سوی دیگر", "به گفته وی", "بر همین اساس", "علاوه بر این", "در ادامه",
           "با این حال", "در این زمینه", "پیش از این"]
ADJ = ["جدید", "تازه", "ویژه", "گسترده", "محروم", "شهری", "روستایی", "استانی", "مشترک", "آزمایشی", "فصلی"]
TIMES = ["از ابتدای امسال", "در شش ماه نخست", "طی هفته گذشته", "تا پایان آذر", "در سال جاری", "از ابتدای مهرماه",
         "در سه ماه اخیر", "تا پایان هفته آینده", "در نیمه دوم سال", "از هفته آینده"]
UNITS = ["نفر", "میلیارد ریال", "درصد", "مورد", "واحد", "خانوار", "کیلومتر", "مرکز", "پرونده", "هکتار"]
TITLE_SHAPES = [
    "{n} {unit} {topic} در {city} {action}",
    "{official}: {topic} {city} {action}",
    "{topic} {adj} در {city}؛ {n} {unit}",
    "اجرای طرح {adj} {topic} در {city}",
    "{topic} {city} {action}",
    "رشد {n} درصدی {topic} در {city}",
]
TRAILERS = ["انتهای پیام", "انتهای خبر/", "کلیه حقوق این سایت محفوظ و متعلق به {agency} است.",
            "نقل مطالب با ذکر منبع بلامانع است.", "بیشتر بخوانید: {other}"]


def _digits(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


@dataclass
class Story:
    """One release: who, where, when, and its original record."""

    sid: int
    org: int
    city: str
    record: dict[str, Any]
    copies: list[tuple[dict[str, Any], tuple[str, ...]]] = field(default_factory=list)


@dataclass
class StorySet:
    stories: list[Story]

    def records(self) -> list[dict[str, Any]]:
        """Every record (originals and copies), shuffled deterministically: arrival order is not publish order."""
        out = [s.record for s in self.stories] + [c for s in self.stories for c, _ in s.copies]
        random.Random(7).shuffle(out)
        return out

    def truth(self) -> dict[str, int]:
        """record key -> story number."""
        truth = {_key(s.record): s.sid for s in self.stories}
        truth.update({_key(c): s.sid for s in self.stories for c, _ in s.copies})
        return truth

    def variants(self) -> dict[str, tuple[str, ...]]:
        return {_key(c): v for s in self.stories for c, v in s.copies}


def _key(record: dict[str, Any]) -> str:
    return f"{record['site']}:{record['news_code']}"


class Generator:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.codes = iter(range(1_000_000, 10_000_000, 7))

    def person(self) -> str:
        return f"{self.rnd.choice(FIRST)} {self.rnd.choice(LAST)}"

    def sentence(self, topics: list[str], city: str, official: str) -> str:
        r = self.rnd
        topic, other = r.sample(topics, 2)
        n = _digits(r.randint(2, 980))
        shapes = [
            f"{r.choice(TIMES)} {n} {r.choice(UNITS)} {topic} {r.choice(ADJ)} در {city} {r.choice(ACTIONS)}",
            f"{r.choice(LINKERS)}، {topic} {r.choice(ADJ)} با {n} {r.choice(UNITS)} {r.choice(ACTIONS)}",
            f"وی {r.choice(VERBS)}: {topic} و {other} {r.choice(TIMES)} {r.choice(ACTIONS)}",
            f"{official} {city} با اشاره به {topic} {r.choice(VERBS)}: {n} {r.choice(UNITS)} {other} "
            f"{r.choice(ACTIONS)}",
            f"بر اساس برنامه {r.choice(ADJ)}، {other} در {_digits(r.randint(2, 40))} منطقه {city} "
            f"{r.choice(ACTIONS)} و {topic} {r.choice(ACTIONS)}",
            f"به گفته {official}، اعتبار {topic} {r.choice(TIMES)} به {n} {r.choice(UNITS)} رسیده و "
            f"{other} {r.choice(ACTIONS)}",
        ]
        return r.choice(shapes) + "."

    def title(self, topics: list[str], city: str, official: str) -> str:
        r = self.rnd
        return r.choice(TITLE_SHAPES).format(n=_digits(r.randint(2, 500)), unit=r.choice(UNITS),
                                             topic=r.choice(topics), city=city, action=r.choice(ACTIONS),
                                             official=official.split()[0], adj=r.choice(ADJ))

    def release(self, sid: int, org: int, city: str, when: datetime, outlet: tuple[str, str],
                person: str) -> dict[str, Any]:
        name, role, topics = ORGS[org]
        r = self.rnd
        official = f"{role} {city}"
        pr = f"روابط عمومی {name} {city}"
        paragraphs = []
        opener = (f"به گزارش {pr}، {person}، {official}، {r.choice(['امروز', 'صبح امروز', 'روز گذشته'])} در "
                  f"{r.choice(['نشست خبری', 'جلسه شورای اداری', 'بازدید از پروژه‌ها', 'آیین افتتاح'])} "
                  f"{r.choice(VERBS)}: " + self.sentence(topics, city, official))
        paragraphs.append(opener)
        for _ in range(r.randint(4, 8)):
            paragraphs.append(" ".join(self.sentence(topics, city, official) for _ in range(r.randint(2, 3))))
        # The office's closing boilerplate: the same in every release of this organisation in this city.
        boiler = self._boilerplate(org, city)
        paragraphs.append(boiler)
        code = str(next(self.codes))
        site, agency = outlet
        return {
            "site": site, "agency": agency, "news_code": code,
            "url": f"https://www.{site}.ir/news/{code}/", "canonical_url": f"https://www.{site}.ir/news/{code}/",
            "title": self.title(topics, city, official),
            "kicker": f"{official} خبر داد" if r.random() < 0.5 else None,
            "lead": f"{official} از {r.choice(topics)} {r.choice(ADJ)} در {city} خبر داد و گفت: "
                    + self.sentence(topics, city, official),
            "body": "\n".join(paragraphs),
            "published_at": when.isoformat(timespec="seconds"),
            "attribution": pr,
            "language": "fa",
        }

    def _boilerplate(self, org: int, city: str) -> str:
        name, _role, topics = ORGS[org]
        r = random.Random(f"{org}/{city}")
        return (f"گفتنی است {name} {city} با {_digits(r.randint(10, 90))} مرکز و {_digits(r.randint(100, 900))} "
                f"نیروی متخصص، خدمات خود را در حوزه {topics[0]}، {topics[1]} و {topics[2]} در سراسر {city} ارائه "
                f"می‌کند و شهروندان می‌توانند پیشنهادها و درخواست‌های خود را از طریق سامانه ارتباطات مردمی این "
                f"مجموعه با شماره {_digits(r.randint(1000, 9999))} در میان بگذارند.")

    def copy(self, original: dict[str, Any], first_agency: str, outlet: tuple[str, str], when: datetime,
             others: list[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
        r = self.rnd
        chosen = tuple(v for v in VARIANTS if r.random() < 0.45) or (r.choice(VARIANTS),)
        if "no_lead" in chosen and "lead_in_body" in chosen:
            chosen = tuple(v for v in chosen if v != "lead_in_body")
        rec = dict(original)
        paragraphs = rec["body"].split("\n")
        site, agency = outlet
        code = str(next(self.codes))
        rec.update(site=site, agency=agency, news_code=code, url=f"https://www.{site}.ir/news/{code}/",
                   canonical_url=f"https://www.{site}.ir/news/{code}/",
                   published_at=when.isoformat(timespec="seconds"))
        if "headline" in chosen:
            words = rec["title"].replace("؛", " ").split()
            r.shuffle(words)
            rec["title"] = " ".join(words[: max(3, len(words) // 2)]) + " " + r.choice(
                ["اعلام شد", "؛ جزئیات", "خبر داد", "+ جزئیات", "در راه است"])
        if "trimmed" in chosen:
            cut = r.randint(1, max(1, len(paragraphs) // 3))
            if r.random() < 0.5:
                paragraphs = paragraphs[:-cut]
            else:
                i = r.randint(1, max(1, len(paragraphs) - 2))
                paragraphs = paragraphs[:i] + paragraphs[i + 1:]
        if "lead_in_body" in chosen and rec.get("lead"):
            paragraphs = [rec["lead"], *paragraphs]
            rec["lead"] = None
        if "no_lead" in chosen:
            rec["lead"] = None
        if "attribution" in chosen:
            first = paragraphs[0]
            rest = first.split("، ", 1)[1] if "، " in first else first
            paragraphs[0] = f"به گزارش {first_agency}، {rest}"
            rec["attribution"] = first_agency
        if "related" in chosen:
            paragraphs += ["اخبار مرتبط:", *r.sample(others, min(len(others), r.randint(2, 5)))]
        if "trailer" in chosen:
            paragraphs += [t.format(agency=agency, other=r.choice(others))
                           for t in r.sample(TRAILERS, r.randint(1, 3))]
        rec["body"] = "\n".join(paragraphs)
        if "spaces" in chosen:
            for key in ("title", "lead", "body", "kicker"):
                if rec.get(key):
                    rec[key] = rec[key].replace(ZWNJ, " ")
        if "arabic" in chosen:
            table = str.maketrans({"ی": "ي", "ک": "ك"})
            for key in ("title", "lead", "body", "kicker"):
                if rec.get(key):
                    rec[key] = rec[key].translate(table)
        return rec, chosen


def generate(n_stories: int = 320, seed: int = 1404, start: datetime | None = None,
             days: int = 6) -> StorySet:
    """``n_stories`` releases over ``days`` days; about a third have same-day siblings (hard negatives); about
    two thirds are republished once to four times."""
    gen = Generator(seed)
    r = gen.rnd
    start = start or datetime(2025, 11, 29, 8, 0, tzinfo=TEHRAN)
    stories: list[Story] = []
    sid = 0
    while sid < n_stories:
        org = r.randrange(len(ORGS))
        city = r.choice(CITIES)
        day = start + timedelta(days=r.randrange(days))
        person = gen.person()
        siblings = 1 if r.random() < 0.5 else r.randint(2, 3)  # same office, same day, different releases
        for _ in range(siblings):
            if sid >= n_stories:
                break
            when = day + timedelta(minutes=r.randint(0, 9 * 60))
            outlet = r.choice(OUTLETS)
            stories.append(Story(sid, org, city, gen.release(sid, org, city, when, outlet, person)))
            sid += 1
    headlines = [s.record["title"] for s in stories]
    for story in stories:
        if r.random() < 0.3:
            continue
        first = story.record
        when = datetime.fromisoformat(first["published_at"])
        outlets = [o for o in OUTLETS if o[0] != first["site"]]
        for outlet in r.sample(outlets, r.randint(1, 4)):
            when_copy = when + timedelta(minutes=r.randint(5, 8 * 60))
            story.copies.append(gen.copy(first, first["agency"], outlet, when_copy, r.sample(headlines, 6)))
    return StorySet(stories)


def pair_scores(truth: dict[str, int], predicted: dict[str, str]) -> dict[str, float]:
    """Pairwise precision and recall: a pair of records is *same* when both are in one story."""
    from collections import Counter
    from itertools import combinations

    by_pred: dict[str, list[str]] = {}
    for key, story in predicted.items():
        by_pred.setdefault(story, []).append(key)
    tp = fp = 0
    for members in by_pred.values():
        for a, b in combinations(members, 2):
            if truth[a] == truth[b]:
                tp += 1
            else:
                fp += 1
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    return {"precision": precision, "recall": recall, "tp": tp, "fp": fp, "true_pairs": true_pairs}
