#!/usr/bin/env python3
"""The README's regression table: 600 generated house sales (area in m², rooms, age in years,
a text column `district`, and the price to the penny: a smooth function of them plus noise),
the three new houses `houses_new.csv` that the README predicts, and a later year's 200 sales
`houses_2026.csv` that it evaluates the model on.

    python3 docs/examples/houses_like.py DIR    # writes DIR/houses.csv, houses_new.csv, houses_2026.csv

Only the standard library; the same files on every run (seed 7).
"""
import math
import os
import random
import sys


def write_sales(f, count, premium):
    f.write("area,rooms,age,district,price\n")
    for _ in range(count):
        area = random.uniform(35, 220)
        rooms = random.randint(1, 6)
        age = random.uniform(0, 90)
        district = random.choice(list(premium))
        price = (150000 + 2000 * area + 15000 * rooms - 800 * age
                 + 30000 * math.sin(area / 20) + premium[district] + random.gauss(0, 8000))
        f.write(f"{area:.1f},{rooms},{age:.0f},{district},{price:.2f}\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    random.seed(7)
    premium = {"centre": 60000, "harbour": 35000, "suburbs": 0}
    with open(os.path.join(out, "houses.csv"), "w") as f:
        write_sales(f, 600, premium)
    with open(os.path.join(out, "houses_new.csv"), "w") as f:
        f.write("area,rooms,age,district\n72.5,3,15,centre\n140,5,40,suburbs\n55,2,85,harbour\n")
    # A later year's 200 sales, from the same process: data the model never saw.
    with open(os.path.join(out, "houses_2026.csv"), "w") as f:
        write_sales(f, 200, premium)


if __name__ == "__main__":
    main()
