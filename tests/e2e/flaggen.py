"""Generates random flagd flag definitions and contexts from a fixed seed, for differential testing.

The grammar covers the standard JsonLogic operators and flagd's sem_ver, starts_with and ends_with,
with `$ref`s to shared evaluators, and `fractional` (the shorthand and bucketing values of
every JSON type, hashed as canonical CBOR by both). It leaves out what the reference evaluator does differently
by design or by accident of Python: `===`
between booleans and numbers, `==` between two arrays or objects (compared by identity there),
division and modulo (a Python exception), and `$flagd.timestamp` (the clock moves).
"""
import random

ATTRIBUTES = ["plan", "age", "email", "country", "version", "tags", "score", "beta", "name"]
PLANS = ["free", "pro", "team", "", "PRO"]
COUNTRIES = ["fr", "be", "de", "us", "ch"]
VERSIONS = ["1.0.0", "2.1.3", "v2.1.3", "2.1", "3", "2.1.3-beta.1", "2.1.3-alpha", "10.0.0", "bad", "1.2.3+build.7"]
WORDS = ["apple", "Apple", "banana", "", "a.b", "42", "4.5", "true", "null", "éclair", "x y"]


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        # Fractional outcomes come from their own sequence, so the rest is generated as before.
        self.f = random.Random(seed + 1)

    def variants(self):
        kind = self.r.choice(["boolean", "string", "integer", "float", "object"])
        if kind == "boolean":
            return kind, {"on": True, "off": False}
        if kind == "string":
            names = self.r.sample(["red", "green", "blue", "gold", "1", "true"], self.r.randint(2, 4))
            return kind, {n: f"value-{n}" for n in names}
        if kind == "integer":
            names = self.r.sample(["low", "mid", "high", "3", "42"], self.r.randint(2, 3))
            return kind, {n: self.r.randint(-5, 100) for n in names}
        if kind == "float":
            names = self.r.sample(["low", "mid", "high", "1.0", "2.5"], self.r.randint(2, 3))
            return kind, {n: self.r.choice([0.5, 1.25, 3.0, 2.5, 0.1]) for n in names}
        names = self.r.sample(["a", "b", "c"], 2)
        return kind, {n: {"name": n, "n": self.r.randint(0, 9), "list": [1, "x"]} for n in names}

    def var(self):
        name = self.r.choice(ATTRIBUTES + ["targetingKey", "missing.deep", "tags.0", "tags.length", "name.length"])
        if self.r.random() < 0.2:
            return {"var": [name, self.literal()]}
        return {"var": name}

    def literal(self):
        return self.r.choice([
            self.r.choice(PLANS), self.r.randint(-3, 50), self.r.choice([0.5, 18.0, 2.25, -1.5]), self.r.choice(WORDS),
            True, False, None, self.r.choice(COUNTRIES),
        ])

    def value(self, depth):
        roll = self.r.random()
        if depth <= 0 or roll < 0.45:
            return self.var() if self.r.random() < 0.6 else self.literal()
        op = self.r.choice(["cat", "+", "-", "*", "min", "max", "substr", "if", "merge", "var-dynamic"])
        if op == "cat":
            return {"cat": [self.value(depth - 1) for _ in range(self.r.randint(1, 3))]}
        if op in ("+", "*", "min", "max"):
            return {op: [self.value(depth - 1) for _ in range(self.r.randint(1, 3))]}
        if op == "-":
            return {"-": [self.value(depth - 1) for _ in range(self.r.randint(1, 2))]}
        if op == "substr":
            args = [self.value(depth - 1), self.r.randint(-4, 4)]
            if self.r.random() < 0.5:
                args.append(self.r.randint(-3, 5))
            return {"substr": args}
        if op == "merge":
            return {"merge": [self.value(depth - 1), [self.literal(), self.literal()]]}
        if op == "var-dynamic":
            return {"var": {"cat": ["pl", "an"]}}
        return {"if": [self.condition(depth - 1), self.value(depth - 1), self.value(depth - 1)]}

    def condition(self, depth):
        op = self.r.choice(["==", "!=", "<", "<=", ">", ">=", "between", "in", "in-string", "and", "or", "!", "!!",
                            "starts_with", "ends_with", "sem_ver", "missing", "missing_some", "some", "all", "none", "==="])
        v = lambda: self.value(depth - 1)
        if op in ("and", "or") and depth > 0:
            return {op: [self.condition(depth - 1) for _ in range(self.r.randint(1, 3))]}
        if op in ("!", "!!"):
            return {op: [self.condition(depth - 1) if depth > 0 and self.r.random() < 0.5 else v()]}
        if op == "between":
            return {self.r.choice(["<", "<="]): [self.r.randint(0, 20), self.var(), self.r.randint(15, 60)]}
        if op == "in":
            return {"in": [v(), [self.literal() for _ in range(self.r.randint(1, 4))]]}
        if op == "in-string":
            return {"in": [self.r.choice(["pro", "a", "@", "1"]), v()]}
        if op in ("starts_with", "ends_with"):
            return {op: [self.var(), self.r.choice(["a", "@example.org", "fr", "ver", "2", ""])]}
        if op == "sem_ver":
            return {"sem_ver": [{"var": "version"}, self.r.choice(["=", "!=", "<", "<=", ">", ">=", "^", "~"]), self.r.choice(VERSIONS)]}
        if op == "missing":
            return {"missing": self.r.sample(ATTRIBUTES, self.r.randint(1, 3))}
        if op == "missing_some":
            return {"missing_some": [self.r.randint(0, 2), self.r.sample(ATTRIBUTES, 3)]}
        if op in ("some", "all", "none"):
            return {op: [{"var": "tags"}, {self.r.choice(["==", "!="]): [{"var": ""}, self.r.choice(["x", "y", "z", 1])]}]}
        if op == "===":
            return {self.r.choice(["===", "!=="]): [{"var": self.r.choice(["plan", "country", "email"])}, self.r.choice(PLANS + COUNTRIES)]}
        return {op: [v(), v()]}

    def outcome(self, names, depth):
        plain = self.plain_outcome(names, depth)
        if self.f.random() >= 0.15:
            return plain
        split = [[n, self.f.randint(0, 60)] if self.f.random() < 0.9 else [n] for n in self.f.sample(names, self.f.randint(1, len(names)))]
        if self.f.random() < 0.5:
            return {"fractional": split}
        bucket = self.f.choice([{"var": a} for a in ["email", "age", "score", "beta", "tags", "plan"]] + [{"cat": [{"var": "plan"}, "-x"]}])
        return {"fractional": [bucket] + split}

    def plain_outcome(self, names, depth):
        roll = self.r.random()
        if roll < 0.6:
            return self.r.choice(names)
        if roll < 0.7:
            return None
        if roll < 0.8 and depth > 0:
            return {"if": [self.condition(depth - 1), self.r.choice(names), self.outcome(names, depth - 1)]}
        if roll < 0.9:
            return self.value(1)
        return self.r.choice(["not-a-variant", True, 3, 1.0])

    def targeting(self, names):
        branches = []
        for _ in range(self.r.randint(1, 3)):
            condition = {"$ref": self.r.choice(["is-pro", "adult"])} if self.r.random() < 0.15 else self.condition(2)
            branches += [condition, self.outcome(names, 2)]
        if self.r.random() < 0.7:
            branches.append(self.outcome(names, 1))
        return {"if": branches}

    def flag(self):
        kind, variants = self.variants()
        names = list(variants)
        flag = {"state": "DISABLED" if self.r.random() < 0.08 else "ENABLED", "variants": variants}
        if self.r.random() < 0.9:
            flag["defaultVariant"] = self.r.choice(names)
        if self.r.random() < 0.85:
            flag["targeting"] = self.targeting(names)
        return kind, flag

    def context(self):
        context = {}
        if self.r.random() < 0.8:
            context["targetingKey"] = f"user-{self.r.randint(1, 500)}"
        for attribute in ATTRIBUTES:
            if self.r.random() < 0.35:
                continue
            context[attribute] = {
                "plan": lambda: self.r.choice(PLANS),
                "age": lambda: self.r.choice([self.r.randint(0, 90), self.r.choice([17.5, 18.0, 65.25]), "18", "x"]),
                "email": lambda: self.r.choice(["ann@example.org", "bob@gmail.com", "", "root@example.org.evil"]),
                "country": lambda: self.r.choice(COUNTRIES + [None]),
                "version": lambda: self.r.choice(VERSIONS),
                "tags": lambda: self.r.sample(["x", "y", "z", 1], self.r.randint(0, 3)),
                "score": lambda: self.r.choice([0, 1, 2.5, -3, True, False, None, "7"]),
                "beta": lambda: self.r.choice([True, False, "yes", 0, 1]),
                "name": lambda: self.r.choice(WORDS),
            }[attribute]()
        return context


EVALUATORS = {
    "is-pro": {"in": [{"var": "plan"}, ["pro", "team"]]},
    "adult": {">=": [{"var": "age"}, 18]},
}
