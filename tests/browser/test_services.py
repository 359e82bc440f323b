"""Smart services in a browser: a service's page with its realisations, places, states and indicators,
in Czech and in English, and a service found for a problem and added to the project with the places
that did it, with JavaScript off."""

from __future__ import annotations

SERVICE = "/id/service/fotovoltaicka-elektrarna-na-budove-skoly"
TOWNS = ("Česká Lípa", "Jablonec nad Nisou", "Liberec")


def test_a_service_page_shows_where_it_is_done_and_passes_the_audit(server, page, audit) -> None:
    page.goto(server + SERVICE)
    done = page.locator("section[aria-labelledby='konkretni']")
    realisations = done.get_by_role("table", name="Realizace služby")
    for town in TOWNS:
        assert realisations.get_by_role("link", name=town, exact=True).is_visible()
    solutions = done.get_by_role("table", name="Řešení, která službu obsahují")
    assert solutions.get_by_role("columnheader", name="Stav").is_visible()
    indicators = page.locator("section[aria-labelledby='indikatory']")
    assert indicators.get_by_role("link", name="Počet prvků opatření hospodaření s energiemi").first.is_visible()
    audit(page, "resource-service-realised")

    page.goto(server + SERVICE + "?lang=en")
    assert page.get_by_role("heading", name="The service in practice").is_visible()
    assert page.get_by_text("Where the service is being put in place:").is_visible()
    audit(page, "resource-service-realised-en")


def test_a_service_found_for_a_problem_goes_into_the_project_without_javascript(server, page_without_js) -> None:
    page = page_without_js
    page.goto(server + "/")
    page.get_by_label("Popis problému").fill("FVE na budově školy")
    page.get_by_role("button", name="Najít řešení").click()
    page.wait_for_load_state()
    services = page.locator("section[aria-labelledby='sluzby']")
    item = services.locator("li", has=page.get_by_role("link", name="FVE na budově školy", exact=True)).first
    for town in TOWNS:
        assert item.get_by_role("link", name=town, exact=True).is_visible()
    item.get_by_role("button", name="Přidat do projektu: FVE na budově školy").click()
    page.wait_for_load_state()
    page.goto(server + "/projekt")
    service = page.locator(".project-item", has_text="FVE na budově školy")
    assert service.get_by_text("Kde službu zavádějí:").is_visible()
    for town in TOWNS:
        assert service.get_by_role("link", name=town, exact=True).is_visible()


def test_the_answer_and_the_project_with_a_service_pass_the_audit(server, page, audit) -> None:
    page.goto(server + "/odpoved?problem=FVE+na+budov%C4%9B+%C5%A1koly")
    services = page.locator("section[aria-labelledby='sluzby']")
    assert services.get_by_text("Kde službu zavádějí:").first.is_visible()
    audit(page, "answer-services")
    services.get_by_role("button", name="Přidat do projektu: FVE na budově školy").click()
    # With JavaScript the button adds in the background: the header's count says when it is in the project.
    page.locator("[data-project-count]", has_text="1").wait_for()
    page.goto(server + "/projekt")
    assert page.locator(".project-item", has_text="FVE na budově školy").count() == 1
    audit(page, "project-service")
