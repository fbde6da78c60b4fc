#!/usr/bin/env python3
"""Regenerates the small demo data set in crates/egov/demo/ from the full lists
in ../shared/data (see shared/data/SOURCES.md for their sources and licences).

The demo set is a deliberately small selection in egov's own JSON formats, so a
fresh machine has something real to search without ../shared. Run from the repo
root: python3 tools/make-demo-set.py ../shared/data
"""
import csv, json, sys, pathlib

data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
out = pathlib.Path("crates/egov/demo")

def rows(p):
    with open(data / p, encoding="utf-8") as f:
        return list(csv.DictReader(f))

CUR_KIND = {"1": "central-city", "2": "province", "3": "ward", "4": "commune", "5": "special-zone"}
OLD_KIND = {"1": "central-city", "2": "province", "3": "city-under-central-city", "4": "provincial-city",
            "5": "urban-district", "6": "town", "7": "rural-district", "8": "ward", "9": "township", "10": "commune"}

def unit(r, era, level, kind, parent, province):
    return {"code": r["code"], "era": era, "level": level, "kind": kind, "name": r["name"],
            "full_name": r["full_name"], "name_en": r["name_en"] or None,
            "full_name_en": r["full_name_en"] or None, "parent_code": parent, "province_code": province}

# Current era: all 34 provinces and a few communes in three cities plus one special zone and rural communes.
cur_prov = rows("admin-units/2025/provinces.csv")
cur_wards = rows("admin-units/2025/wards.csv")
demo_communes = {"00004", "00008", "00070", "00097", "20194", "20197", "20209", "26734", "26740",
                 "26743", "27664", "27673"}
current = [unit(r, "current", "province", CUR_KIND[r["administrative_unit_id"]], None, r["code"]) for r in cur_prov]
picked = [r for r in cur_wards if r["code"] in demo_communes or (r["administrative_unit_id"] == "5" and r["name"] == "Côn Đảo")]
# and the first three rural communes (xã) of Hà Nội
picked += [r for r in cur_wards if r["province_code"] == "01" and r["administrative_unit_id"] == "4"][:3]
current += [unit(r, "current", "commune", CUR_KIND[r["administrative_unit_id"]], r["province_code"], r["province_code"]) for r in picked]
cur_codes = {u["code"] for u in current if u["level"] == "commune"}

# Pre-2025 era: the old communes that became the demo communes, their districts and provinces,
# plus the old provinces merged into Tuyên Quang.
o2n = rows("admin-units/2025-mapping/commune_old_to_new.csv")
links = [r for r in o2n if r["new_commune_code"] in cur_codes]
old_commune_codes = {r["old_commune_code"] for r in links}
old_wards = {r["code"]: r for r in rows("admin-units/pre-2025/wards.csv")}
old_districts = {r["code"]: r for r in rows("admin-units/pre-2025/districts.csv")}
old_provinces = {r["code"]: r for r in rows("admin-units/pre-2025/provinces.csv")}
pre = []
communes = [old_wards[c] for c in sorted(old_commune_codes) if c in old_wards]
district_codes = sorted({c["district_code"] for c in communes})
province_codes = sorted({old_districts[d]["province_code"] for d in district_codes} | {"02", "08"})
for p in province_codes:
    r = old_provinces[p]
    pre.append(unit(r, "pre-2025", "province", OLD_KIND[r["administrative_unit_id"]], None, p))
for d in district_codes:
    r = old_districts[d]
    pre.append(unit(r, "pre-2025", "district", OLD_KIND[r["administrative_unit_id"]], r["province_code"], r["province_code"]))
for r in communes:
    pre.append(unit(r, "pre-2025", "commune", OLD_KIND[r["administrative_unit_id"]], r["district_code"], r["province_code"]))

successions = []
for r in links:
    if r["old_commune_code"] in old_wards:
        successions.append({"old_code": r["old_commune_code"], "old_level": "commune", "new_code": r["new_commune_code"],
                            "new_level": "commune", "partial": int(r["target_count"] or 1) > 1})
for r in rows("admin-units/2025-mapping/province_old_to_new.csv"):
    if r["old_province_code"] in province_codes:
        successions.append({"old_code": r["old_province_code"], "old_level": "province",
                            "new_code": r["new_province_code"], "new_level": "province", "partial": False})

# Procedures: a few dozen everyday ones of different tiers and fields, in the portal's JSON-lines shape.
codes = """1.001193 1.000894 1.000656 1.004873 1.001022 1.004837 1.004859 2.000815 1.004222 1.003197
1.001612 1.001266 1.001570 2.001610 3.000333 3.000330 1.001456 1.001471 1.001247 1.000889 1.000757
3.000346 3.000347 3.000348 1.012753 1.012756 1.012751 1.005126 1.001146 1.000253 1.000110 1.000689
1.000593 1.000419 1.008504 2.001958 1.013225""".split()
wanted = set(codes)
procs = []
with open(data / "procedures/tthc_details.jsonl", encoding="utf-8") as f:
    for line in f:
        rec = json.loads(line)
        if rec["ma_thu_tuc"] in wanted:
            procs.append(rec)
procs.sort(key=lambda r: codes.index(r["ma_thu_tuc"]))

out.mkdir(parents=True, exist_ok=True)
def dump(name, value):
    (out / name).write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
dump("admin-units-current.json", current)
dump("admin-units-pre-2025.json", pre)
dump("unit-successions.json", successions)
(out / "procedures.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in procs), encoding="utf-8")
print(f"{len(current)} current units, {len(pre)} pre-2025 units, {len(successions)} links, {len(procs)} procedures")
