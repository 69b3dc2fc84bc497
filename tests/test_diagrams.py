"""Tests for equitykit.diagrams: fishbone, process map and driver diagram.

The drawings are checked through their Vega-Lite spec (labels and counts of
marks), the files through a YAML round trip, and bad input through the message.
Case data are small hand-made versions of the published stories (racism on a
forensic ward; talking therapies for young Black men).
"""
from __future__ import annotations

import os

import pytest

import equitykit as ek
from equitykit import files
from equitykit.diagrams import ChangeIdea, Driver, DriverDiagram, Fishbone, ProcessMap
from equitykit.validation import EquityKitError


_SPECS: dict[int, tuple] = {}


def spec_of(chart):
    """spec_of(chart), validated once per chart (validation is the slow part)."""
    if id(chart) not in _SPECS or _SPECS[id(chart)][0] is not chart:
        _SPECS[id(chart)] = (chart, chart.to_dict())
    return _SPECS[id(chart)][1]


def layers(chart):
    """[(mark type, data rows, layer spec)] for each layer of a layered chart."""
    spec = spec_of(chart)
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec["layer"]:
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        name = (layer.get("data") or spec["data"])["name"]
        out.append((mark, datasets[name], layer))
    return out


def rows_with_part(chart, part):
    for _, rows, _ in layers(chart):
        if rows and rows[0].get("part") == part:
            return rows
    return []


# ----------------------------------------------------------------- the ward racism case

WARD_CAUSES = {
    "People": ["Staff unsure how to respond", "Service users' own trauma", "Fear of speaking up"],
    "Process": ["No plan after an incident", "Incidents under-reported", "No senior follow-up"],
    "Environment": ["Busy, noisy ward", "Few shared calm spaces"],
    "Culture": ["Racism not named by leaders", "Comments seen as normal", "Little training on bias"],
}


def ward_fishbone() -> Fishbone:
    return Fishbone("Racist incidents experienced by staff and service users", WARD_CAUSES)


def ward_driver_diagram() -> DriverDiagram:
    return DriverDiagram(
        "Reduce racist incidents experienced by staff and service users on the ward by 75% by March 2021",
        primary=[
            Driver("How the team responds to incidents", secondary=[
                Driver("A clear plan after every incident", change_ideas=[
                    ChangeIdea("Post-incident action plan as a flow chart", status="adopted", pdsa=["1"],
                               measures=["Racist incidents per fortnight"])]),
            ]),
            Driver("Visibility of racism on the ward", secondary=[
                Driver("Incidents discussed every day", change_ideas=[
                    ChangeIdea("Safety cross reviewed at safety huddles", status="adopted", pdsa=["2", "3"])]),
            ]),
            Driver("Staff and service user knowledge", secondary=[
                Driver("Understanding of racial trauma and bias", change_ideas=[
                    ChangeIdea("Racial trauma and bias training, co-designed", status="testing", pdsa=["4"])]),
            ]),
        ],
    )


def therapies_driver_diagram() -> DriverDiagram:
    aim = ek.AimStatement("referrals to talking therapies", "Black men aged 18-25", baseline=1.5, target=1.8,
                          by_when="December 2023")
    return DriverDiagram(aim, primary=[
        {"name": "Stigma about mental health and therapy", "secondary": [
            {"name": "Trust in services", "change_ideas": [
                {"name": "Work with local leaders", "status": "testing"},
                {"name": "Talk about therapy in safe community spaces such as barbers", "status": "adopted"}]},
            {"name": "Assumptions about what therapy is", "change_ideas": ["Tackle assumptions about therapy"]}]},
        {"name": "A workforce that reflects the community", "secondary": [
            {"name": "Staff who reflect the community", "change_ideas": [
                {"name": "Recruit staff and peer workers from the community", "also": ["Trust in services"]}]}]},
    ])


# ----------------------------------------------------------------- fishbone


def test_ward_fishbone_spec_has_a_rib_per_category_and_every_cause():
    chart = ward_fishbone().chart()
    ribs = rows_with_part(chart, "rib")
    assert [r["category"] for r in ribs] == list(WARD_CAUSES)
    causes = rows_with_part(chart, "cause")
    assert sorted(r["cause"] for r in causes) == sorted(c for v in WARD_CAUSES.values() for c in v)
    assert len(rows_with_part(chart, "bone")) == sum(len(v) for v in WARD_CAUSES.values())
    assert [r["label"] for r in rows_with_part(chart, "category")] == list(WARD_CAUSES)
    assert len(rows_with_part(chart, "spine")) == 1
    head = rows_with_part(chart, "effect")[0]
    assert head["label"].replace("\n", " ") == "Racist incidents experienced by staff and service users"


def test_fishbone_ribs_alternate_above_and_below_the_spine_and_lean_back():
    chart = ward_fishbone().chart()
    spine_y = rows_with_part(chart, "spine")[0]["y"]
    ribs = rows_with_part(chart, "rib")
    sides = [r["y2"] < spine_y for r in ribs]  # pixel y grows downwards
    assert sides == [True, False, True, False]
    assert all(r["x2"] < r["x"] and r["y"] == spine_y for r in ribs)


def test_fishbone_six_by_six_stays_legible():
    causes = {f"Category {i}": [f"A fairly long cause number {j} in group {i}" for j in range(6)] for i in range(6)}
    chart = Fishbone("Missed appointments in the most deprived areas", causes).chart()
    spec = spec_of(chart)
    cause_rows = rows_with_part(chart, "cause")
    assert len(cause_rows) == 36 and len(rows_with_part(chart, "rib")) == 6
    text_layers = [lay for mark, _, lay in layers(chart) if mark == "text"]
    assert min(lay["mark"]["fontSize"] for lay in text_layers) >= 14
    # labels wrapped to short lines, and no two labels on the same rib overlap
    assert max(len(line) for r in cause_rows for line in r["label"].split("\n")) <= 24
    for cat in causes:
        ys = sorted(r["y"] for r in cause_rows if r["category"] == cat)
        assert min(b - a for a, b in zip(ys, ys[1:])) >= 34
    assert spec["width"] >= 900 and spec["height"] >= 500


def test_fishbone_empty_category_is_an_error_naming_it():
    with pytest.raises(EquityKitError, match="'Culture' has no causes"):
        Fishbone("Low screening uptake", {"Access": ["No evening clinics"], "Culture": []})
    with pytest.raises(EquityKitError, match="causes"):
        Fishbone("Low screening uptake", {})


def test_fishbone_yaml_round_trip(tmp_path):
    fb = ward_fishbone()
    path = fb.to_yaml(tmp_path / "fishbone.yaml")
    assert Fishbone.from_yaml(path) == fb


def test_fishbone_yaml_typo_names_key_allowed_keys_and_closest(tmp_path):
    path = tmp_path / "fb.yaml"
    path.write_text("effect: Low uptake\ncausse:\n  Access: [No evening clinics]\n")
    with pytest.raises(EquityKitError) as err:
        Fishbone.from_yaml(path)
    text = str(err.value)
    assert "'causse'" in text and "Did you mean 'causes'?" in text and "'effect', 'causes'" in text


def test_fishbone_save_is_atomic(tmp_path, monkeypatch):
    path = ward_fishbone().to_yaml(tmp_path / "fishbone.yaml")
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError):
        Fishbone("Something else", {"A": ["b"]}).to_yaml(path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["fishbone.yaml"]  # no temporary file left behind


def test_fishbone_shows_in_a_notebook():
    fb = ward_fishbone()
    bundle = fb._repr_mimebundle_()
    assert "text/html" in bundle
    assert isinstance(fb._repr_html_(), str)


# ----------------------------------------------------------------- process map

PATHWAY = [
    "GP or self-referral",
    ("Screening call", "decision"),
    ("Not accepted", "drop-out", "a third leave here"),
    ("Wait for assessment", "wait", "median 6 weeks"),
    "Assessment",
    {"name": "Offered therapy?", "kind": "decision"},
    {"name": "Declines", "kind": "dropout"},
    ("Wait for therapy", "wait"),
    "First session",
    "Discharge",
]


def test_process_map_spec_has_boxes_diamonds_arrows_and_labels():
    pm = ProcessMap(PATHWAY, title="Talking therapies pathway")
    chart = pm.chart()
    marks = layers(chart)
    boxes = [rows for mark, rows, _ in marks if mark == "rect"][0]
    diamonds = [rows for mark, rows, lay in marks if mark == "point" and lay["mark"].get("filled") is True
                and lay["mark"]["shape"].startswith("M")][0]
    assert sorted(r["step"] for r in diamonds) == ["Offered therapy?", "Screening call"]
    assert {r["kind"] for r in boxes} == {"Step", "Wait", "Drop-out"}
    assert len(boxes) + len(diamonds) == len(PATHWAY)
    arrowheads = [rows for mark, rows, lay in marks if mark == "point" and lay["mark"]["shape"] == "triangle"][0]
    # 8 main-flow steps give 7 arrows, plus one dashed arrow to each of 2 drop-outs
    assert len(arrowheads) == 9
    texts = [rows for mark, rows, lay in marks if mark == "text" and rows and "step" in rows[0]][0]
    assert sorted(r["label"].replace("\n", " ") for r in texts) == sorted(
        (s if isinstance(s, str) else s[0] if isinstance(s, tuple) else s["name"]) for s in PATHWAY)
    edge_labels = [r["label"] for mark, rows, _ in marks if mark == "text" for r in rows
                   if r.get("part") == "edge label"]
    assert sorted(edge_labels) == ["no", "no", "yes", "yes"]
    assert spec_of(chart)["title"] == "Talking therapies pathway"


def test_process_map_wraps_long_flows_to_rows():
    pm = ProcessMap([f"Step {i}" for i in range(12)], per_row=5)
    boxes = [rows for mark, rows, _ in layers(pm.chart()) if mark == "rect"][0]
    rows_used = sorted({r["cy"] for r in boxes})
    assert len(rows_used) == 3
    # each row runs left to right
    first_row = [r for r in boxes if r["cy"] == rows_used[0]]
    assert [r["step"] for r in sorted(first_row, key=lambda r: r["cx"])] == [f"Step {i}" for i in range(5)]


def test_process_map_drop_out_hangs_below_the_step_before_it():
    pm = ProcessMap(PATHWAY)
    boxes = [rows for mark, rows, _ in layers(pm.chart()) if mark == "rect"][0]
    nodes = {r["step"]: r for r in boxes}
    diamonds = {r["step"]: r for mark, rows, _ in layers(pm.chart()) if mark == "point" for r in rows if "step" in r}
    assert nodes["Not accepted"]["cx"] == diamonds["Screening call"]["cx"]
    assert nodes["Not accepted"]["cy"] > diamonds["Screening call"]["cy"]


def test_process_map_bad_input():
    with pytest.raises(EquityKitError, match="kind 'queue', which is not one of"):
        ProcessMap(["Referral", ("Waiting list", "queue")])
    with pytest.raises(EquityKitError, match="drop-out branches off the step before it"):
        ProcessMap([("Leaves", "drop-out"), "Referral"])
    with pytest.raises(EquityKitError, match="list of steps"):
        ProcessMap("Referral")


def test_process_map_yaml_round_trip_and_typo(tmp_path):
    pm = ProcessMap(PATHWAY, title="Pathway", per_row=4)
    again = ProcessMap.from_yaml(pm.to_yaml(tmp_path / "map.yaml"))
    assert again == pm
    (tmp_path / "bad.yaml").write_text("steps:\n  - name: Referral\n    knd: step\n")
    with pytest.raises(EquityKitError, match="'knd'. Did you mean 'kind'"):
        ProcessMap.from_yaml(tmp_path / "bad.yaml")


# ----------------------------------------------------------------- driver diagram


def test_ward_driver_diagram_spec_has_its_three_change_ideas():
    dd = ward_driver_diagram()
    chart = dd.chart()
    ideas = rows_with_part(chart, "idea")
    assert [r["name"] for r in ideas] == [
        "Post-incident action plan as a flow chart",
        "Safety cross reviewed at safety huddles",
        "Racial trauma and bias training, co-designed",
    ]
    assert [r["status"] for r in ideas] == ["adopted", "adopted", "testing"]
    assert len(rows_with_part(chart, "primary")) == 3
    assert len(rows_with_part(chart, "secondary")) == 3
    assert len(rows_with_part(chart, "aim")) == 1
    # connectors: aim->3 primaries, 3 primary->secondary, 3 secondary->idea, 4 points each
    lines = [rows for mark, rows, _ in layers(chart) if mark == "line"]
    assert sum(len(r) for r in lines) == 9 * 4
    assert {r["edge"] for rows in lines for r in rows} == set(range(9))
    assert dd.change_ideas["pdsa"].tolist() == ["1", "2, 3", "4"]


def test_driver_diagram_runs_left_to_right():
    chart = ward_driver_diagram().chart()
    lefts = [rows_with_part(chart, p)[0]["x"] for p in ("aim", "primary", "secondary", "idea")]
    assert lefts == sorted(lefts)
    headers = [r["label"] for mark, rows, _ in layers(chart) if mark == "text" for r in rows if "part" not in r]
    assert headers == ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]


def test_talking_therapies_driver_diagram_with_stigma_and_an_also_link():
    dd = therapies_driver_diagram()
    assert dd.aim.startswith("Increase referrals to talking therapies for Black men aged 18-25")
    assert dd.table["primary"].iloc[0] == "Stigma about mental health and therapy"
    chart = dd.chart()
    dashed = [rows for mark, rows, lay in layers(chart) if mark == "line" and lay["mark"].get("strokeDash")]
    assert len(dashed) == 1 and len(dashed[0]) == 4  # one dashed 'also' connector
    labels = " ".join(r["label"].replace("\n", " ") for r in rows_with_part(chart, "idea"))
    assert "barbers" in labels and "reflect" not in labels  # ideas column holds ideas, not drivers
    assert "Recruit staff and peer workers from the community" in labels


def test_driver_diagram_with_thirty_change_ideas_grows_in_height():
    primary = [Driver(f"Primary driver {p}", secondary=[
        Driver(f"Secondary {p}.{s}", change_ideas=[ChangeIdea(f"Change idea {p}.{s}.{c}") for c in range(3)])
        for s in range(2)]) for p in range(5)]
    dd = DriverDiagram("Increase access for ethnic-minority people aged 18-35 by 8% by March 2021", primary)
    chart = dd.chart()
    ideas = rows_with_part(chart, "idea")
    assert len(ideas) == 30
    assert len(rows_with_part(chart, "secondary")) == 10
    spec = spec_of(chart)
    small = DriverDiagram("x", [Driver("a", change_ideas=["b"])]).chart().to_dict()
    assert spec["height"] > 30 * 35 > small["height"]
    ys = sorted((r["y"], r["y2"]) for r in ideas)
    assert all(b[0] >= a[1] for a, b in zip(ys, ys[1:]))  # boxes never overlap
    texts = [lay for mark, _, lay in layers(chart) if mark == "text"]
    assert min(lay["mark"]["fontSize"] for lay in texts) >= 14


def test_driver_diagram_change_idea_under_no_driver():
    with pytest.raises(EquityKitError, match="'Safety cross' .*under no driver"):
        DriverDiagram("aim", primary=[Driver("Visibility"), ChangeIdea("Safety cross")])
    with pytest.raises(EquityKitError, match="'Safety cross'.*change idea under no driver"):
        DriverDiagram("aim", primary=[{"name": "Safety cross", "status": "testing"}])


def test_driver_diagram_duplicated_ids_name_the_item_and_the_fix():
    with pytest.raises(EquityKitError, match="change idea 'Training' appears twice.*also="):
        DriverDiagram("aim", primary=[Driver("A", change_ideas=["Training"]), Driver("B", change_ideas=["Training"])])
    with pytest.raises(EquityKitError, match="driver id 'Culture' appears twice"):
        DriverDiagram("aim", primary=[Driver("Culture"), Driver("Leadership", secondary=["Culture"])])
    with pytest.raises(EquityKitError, match="links .* to a driver 'Trusst'.*Did you mean 'Trust'"):
        DriverDiagram("aim", primary=[Driver("Trust"), Driver("B", change_ideas=[ChangeIdea("x", also=["Trusst"])])])
    with pytest.raises(EquityKitError, match="status 'done'"):
        ChangeIdea("x", status="done")


def test_driver_diagram_status_can_change_and_does_not_touch_the_callers_objects():
    idea = ChangeIdea("Safety cross", status="testing")
    dd = DriverDiagram("aim", primary=[Driver("Visibility", change_ideas=[idea])])
    dd.set_status("Safety cross", "adopted")
    assert dd.idea("Safety cross").status == "adopted"
    assert idea.status == "testing"
    with pytest.raises(EquityKitError, match="Did you mean 'Safety cross'"):
        dd.idea("Safety cros")


def test_driver_diagram_yaml_round_trip_and_typo(tmp_path):
    dd = therapies_driver_diagram()
    again = DriverDiagram.from_yaml(dd.to_yaml(tmp_path / "drivers.yaml"))
    assert again == dd
    assert again.change_ideas.equals(dd.change_ideas)
    (tmp_path / "bad.yaml").write_text(
        "aim: x\nprimary:\n  - name: Stigma\n    change_ideas:\n      - name: Barbers\n        stauts: testing\n")
    with pytest.raises(EquityKitError, match="'stauts'. Did you mean 'status'"):
        DriverDiagram.from_yaml(tmp_path / "bad.yaml")
