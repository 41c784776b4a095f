#!/usr/bin/env python3
"""The README's Titanic-shaped table: 891 generated passengers with the columns of Kaggle's
Titanic set (an id, a name, a ticket, a cabin mostly empty, ages a fifth empty, two ports
missing), and the three new rows `passengers.csv` that the README predicts.

    python3 docs/examples/titanic_like.py DIR    # writes DIR/titanic.csv and DIR/passengers.csv

Only the standard library; the same files on every run (seed 3). The csv module writes
CRLF line ends, as Windows tools do.
"""
import csv
import os
import random
import sys


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    random.seed(3)
    rows = []
    for i in range(1, 892):
        pclass = random.choice([1, 2, 3, 3, 3])
        sex = random.choice(["male", "female"])
        age = "" if random.random() < 0.2 else str(round(random.uniform(1, 70)))
        survived = int((sex == "female") ^ (random.random() < 0.2)) if pclass < 3 else int(random.random() < 0.3)
        name = f"Person{i}, Mr. X"
        ticket = random.choice([str(random.randint(10000, 400000)), f"PC {random.randint(100, 9999)}",
                                f"A/5 {random.randint(100, 9999)}"])
        cabin = "" if random.random() < 0.77 else f'{random.choice("ABCDEF")}{random.randint(1, 130)}'
        port = random.choice(["S", "S", "S", "C", "Q"]) if i not in (62, 830) else ""
        rows.append([i, survived, pclass, name, sex, age, random.randint(0, 3), random.randint(0, 2),
                     ticket, round(random.uniform(5, 500), 4), cabin, port])
    with open(os.path.join(out, "titanic.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow("PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked".split(","))
        w.writerows(rows)
    with open(os.path.join(out, "passengers.csv"), "w") as f:
        f.write("Pclass,Sex,Age,SibSp,Parch,Fare,Embarked\n"
                "3,male,22,1,0,7.25,S\n1,female,,1,0,71.28,C\n2,female,30,0,0,13.0,X\n")


if __name__ == "__main__":
    main()
