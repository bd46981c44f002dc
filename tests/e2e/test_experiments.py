"""An experiment end to end: the OpenFeature Python SDK (OFREP provider) evaluates an
experiment's flag for 20,000 targeting keys, the app posts conversions with the variant it got,
and Almanac's results equal gbstats' on the same counts; the page in Chromium shows the planted
lift inside its interval; a user who opts out gets control and is left out of the analysis;
bad events are refused with the field named and nothing counted, and a repeated id counts once."""
import random
import re
from concurrent.futures import ThreadPoolExecutor

import requests
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.frequentist.tests import FrequentistConfig, SequentialConfig, SequentialTwoSidedTTest, TwoSidedTTest
from gbstats.models.statistics import ProportionStatistic
from gbstats.utils import check_srm
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from selenium.webdriver.common.by import By

from conftest import ADMIN, CLIENT_KEY, Server, wait_until
from test_experiment_stats import close
from test_pages_chromium import browser, sign_in  # noqa: F401  (the fixture)

FLAGS = """
flags:
  checkout-button:
    owner: team-web
    state: ENABLED
    variants: {control: blue, green: green}
    defaultVariant: control
    targeting: {fractional: [[control, 50], [green, 50]]}
    experiment:
      control: control
      metrics:
        - {name: purchases, event: purchase}
      opt_out: optOut
"""
USERS = 20_000
RATES = {"control": 0.10, "green": 0.12}  # a planted lift of +20%


def post(server, events):
    return requests.post(server.url + "/api/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {CLIENT_KEY}"}, timeout=60)


def test_an_experiment_through_the_sdk_equals_gbstats_and_shows_its_lift(workdir, browser):  # noqa: F811
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "shop.yaml").write_text(FLAGS)
    server = Server(config, workdir / "data").start()
    api.set_provider(OFREPProvider(server.url, headers_factory=lambda: {"Authorization": f"Bearer {CLIENT_KEY}"}))
    try:
        client = api.get_client()

        def evaluate(n):
            return client.get_string_details("checkout-button", "blue", EvaluationContext(f"user-{n}")).variant

        with ThreadPoolExecutor(8) as pool:
            served = list(pool.map(evaluate, range(USERS)))
        assert set(served) == {"control", "green"}
        opted = client.get_string_details("checkout-button", "blue", EvaluationContext("user-opted", {"optOut": True}))
        assert (opted.variant, opted.value) == ("control", "blue"), "a user who opts out gets the original"

        rng = random.Random(7)
        conversions = [{"id": f"purchase-{n}", "type": "conversion", "flag": "checkout-button", "variant": variant,
                        "targeting_key": f"user-{n}", "event": "purchase"}
                       for n, variant in enumerate(served) if rng.random() < RATES[variant]]
        conversions.append({"id": "purchase-opted", "type": "conversion", "flag": "checkout-button", "variant": "control",
                            "targeting_key": "user-opted", "event": "purchase"})
        for start in range(0, len(conversions), 5000):
            answer = post(server, conversions[start:start + 5000])
            assert answer.status_code == 200, answer.text
        assert post(server, conversions[:10]).json()["new_conversions"] == 0, "a repeated id counts once"

        # Bad events: the batch is refused with the field named, and nothing of it is stored.
        good = {"id": "x1", "type": "conversion", "flag": "checkout-button", "variant": "green", "targeting_key": "user-1", "event": "purchase"}
        for bad, field in [({"variant": "purple"}, "events[1].variant"), ({"flag": "nope"}, "events[1].flag"),
                           ({"event": "refund"}, "events[1].event"), ({"type": "click"}, "events[1].type")]:
            answer = post(server, [good, {**good, "id": "x2", **bad}])
            assert answer.status_code == 400 and answer.json()["field"] == field, answer.text

        tally = {v: served.count(v) for v in RATES}
        converted = {v: sum(1 for c in conversions if c["variant"] == v and c["targeting_key"] != "user-opted") for v in RATES}

        def results():
            body = requests.get(server.url + "/api/v1/experiments/checkout-button", headers=ADMIN).json()
            return body if {g["name"]: g["users"] for g in body["users"]} == tally else None
        body = wait_until(results, seconds=30)
        assert body, "every exposure reached the database (they are written with the usage counts)"
        assert body["excluded"] == [{"name": "opted-out", "users": 1}]

        # The same counts through gbstats.
        def stat(v):
            return ProportionStatistic(n=tally[v], sum=converted[v])
        close(body["srm_p_value"], check_srm([tally["control"], tally["green"]], [0.5, 0.5]), "SRM")
        row = body["metrics"][0]["analysis"]["variants"][1]
        assert (row["users"], round(row["mean"] * tally["green"])) == (tally["green"], converted["green"])
        fixed = TwoSidedTTest(stat("control"), stat("green"), FrequentistConfig()).compute_result()
        sequential = SequentialTwoSidedTTest(stat("control"), stat("green"), SequentialConfig()).compute_result()
        bayes = EffectBayesianABTest(stat("control"), stat("green"), EffectBayesianConfig()).compute_result()
        for ours, theirs in [(row["frequentist"], fixed), (row["sequential"], sequential)]:
            close(ours["expected"], theirs.expected, "lift")
            close(ours["lower"], theirs.ci[0], "lower bound")
            close(ours["upper"], theirs.ci[1], "upper bound")
            close(ours["p_value"], theirs.p_value, "p-value")
        close(row["bayesian"]["chance_to_win"], bayes.chance_to_win, "chance to beat control")

        # The page, in Chromium: the planted lift (+20%) lies inside the interval it shows.
        sign_in(browser, server.url)
        browser.get(server.url + "/experiments/checkout-button")
        assert "Split as planned" in browser.find_element(By.ID, "srm").text
        cells = browser.find_elements(By.CSS_SELECTOR, "#metric-purchases tbody tr")[1].find_elements(By.TAG_NAME, "td")
        low, high = map(float, re.findall(r"\(([-+\d.]+)% to ([-+\d.]+)%\)", cells[3].text)[0])
        assert low < 20 < high, cells[3].text
        assert browser.find_element(By.ID, "excluded").text.count("opted-out") == 1
    finally:
        api.clear_providers()
        server.stop()
