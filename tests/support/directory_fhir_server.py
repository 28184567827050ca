"""A loopback stand-in for the Annuaire Santé's FHIR API (spec §7), for the directory tests.

Serves ``Practitioner``, ``PractitionerRole`` and ``Organization`` searches as Bundles shaped
like the real API's (searchset, ``search.mode`` match/include, ``link`` self/next with
absolute URLs, pages of ``_count``), MSSanté mailboxes as ``telecom`` entries with the
``fr-core-contact-point-email-type`` and ``as-ext-mailbox-mss-metadata`` extensions. It checks
the ``ESANTE-API-KEY`` header (401 otherwise), records every request, and can be told to
answer the next requests with an error (401, 429 with ``Retry-After``, 5xx), to stall (for
timeouts) or to send a ``next`` link to another server.

The data are fictional, built by the tests.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"
EMAIL_TYPE_EXT = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type"
MSS_METADATA_EXT = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata"
TYPE_BAL_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R257-TypeBAL/FHIR/TRE-R257-TypeBAL"
PROFESSION_SYSTEM = (
    "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
)
SPECIALITY_SYSTEM = (
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
)


def mss_telecom(
    address: str,
    box_type: str,
    *,
    description: str = "",
    service: str = "",
    digitization: bool | None = True,
    email_type: bool = True,
) -> dict[str, Any]:
    """An MSSanté mailbox as the API writes it in ``telecom``."""
    metadata: list[dict[str, Any]] = [
        {
            "url": "type",
            "valueCodeableConcept": {"coding": [{"system": TYPE_BAL_SYSTEM, "code": box_type}]},
        }
    ]
    if description:
        metadata.append({"url": "description", "valueString": description})
    if service:
        metadata.append({"url": "service", "valueString": service})
    if digitization is not None:
        metadata.append({"url": "digitization", "valueBoolean": digitization})
    metadata.append({"url": "listeRouge", "valueBoolean": False})
    extensions: list[dict[str, Any]] = []
    if email_type:
        extensions.append(
            {
                "url": EMAIL_TYPE_EXT,
                "valueCoding": {
                    "system": "https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/"
                    "TRE-R256-TypeMessagerie",
                    "code": "MSSANTE",
                },
            }
        )
    extensions.append({"url": MSS_METADATA_EXT, "extension": metadata})
    return {"extension": extensions, "system": "email", "value": address}


def practitioner(
    rid: str,
    *,
    rpps: str,
    family: str,
    given: str,
    prefix: str = "DR",
    profession: str = "10",
    profession_display: str = "",
    speciality: str = "",
    telecom: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Practitioner of the directory (IDNPS and RPPS identifiers, name, qualification)."""
    coding: list[dict[str, Any]] = [{"system": PROFESSION_SYSTEM, "code": profession}]
    if profession_display:
        coding[0]["display"] = profession_display
    qualifications: list[dict[str, Any]] = [{"code": {"coding": coding}}]
    if speciality:
        qualifications.append(
            {
                "code": {
                    "coding": [{"system": SPECIALITY_SYSTEM, "code": "SM04", "display": speciality}]
                }
            }
        )
    return {
        "resourceType": "Practitioner",
        "id": rid,
        "identifier": [
            {
                "use": "official",
                "type": {"coding": [{"code": "IDNPS"}]},
                "system": "urn:oid:1.2.250.1.71.4.2.1",
                "value": f"8{rpps}",
            },
            {
                "use": "official",
                "type": {"coding": [{"code": "RPPS"}]},
                "system": "https://rpps.esante.gouv.fr",
                "value": rpps,
            },
        ],
        "active": True,
        "name": [{"use": "usual", "family": family, "given": [given], "prefix": [prefix]}],
        "telecom": [
            {"system": "email", "value": f"{given.lower()}.{family.lower()}@orange.fr"},
            *(telecom or []),
        ],
        "qualification": qualifications,
    }


def role(
    rid: str, practitioner_id: str, organization_id: str, telecom: list[dict[str, Any]]
) -> dict[str, Any]:
    """A PractitionerRole (situation d'exercice) with its boxes."""
    return {
        "resourceType": "PractitionerRole",
        "id": rid,
        "active": True,
        "practitioner": {"reference": f"Practitioner/{practitioner_id}"},
        "organization": {"reference": f"Organization/{organization_id}"},
        "telecom": telecom,
    }


def organization(
    rid: str,
    *,
    name: str,
    city: str,
    postcode: str,
    telecom: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An Organization with its ORG/APP boxes (and a plain contact address, not MSSanté)."""
    return {
        "resourceType": "Organization",
        "id": rid,
        "active": True,
        "name": name,
        "telecom": [{"system": "email", "value": "contact@example.org"}, *(telecom or [])],
        "address": [{"line": ["1 PLACE D'ARSONVAL"], "city": city, "postalCode": postcode}],
    }


@dataclass(frozen=True)
class Seen:
    """A request the server received (header names in lower case)."""

    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    at: float


@dataclass
class _Failure:
    status: int
    retry_after: str | None = None
    stall: float = 0.0


@dataclass
class FhirServer:
    """The stand-in API. Use as a context manager; `base_url` is its ``[base]``."""

    api_key: str = "cle-de-test"
    resources: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    #: Absolute URL prefix written in ``next`` links (default: this server).
    next_base: str | None = None
    _failures: list[_Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/fhir/v2``."""
        assert self._server is not None
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/fhir/v2"

    def fail_next(
        self, status: int, *, times: int = 1, retry_after: str | None = None, stall: float = 0.0
    ) -> None:
        """Answer the next `times` requests with `status` (0: stall `stall` s, then answer)."""
        with self._lock:
            self._failures.extend(_Failure(status, retry_after, stall) for _ in range(times))

    def searches(self, resource: str) -> list[Seen]:
        """Requests for one resource type."""
        return [r for r in self.requests if r.path.rstrip("/").endswith(f"/{resource}")]

    # -------------------------------------------------------------- searching

    def _search(self, resource: str, params: dict[str, list[str]]) -> list[Any]:
        """The matches of a search."""

        def first(name: str) -> str:
            return params.get(name, [""])[0].lower()

        matches = []
        for item in self.resources:
            if item["resourceType"] != resource:
                continue
            if "_id" in params:
                ids = {i for v in params["_id"] for i in v.split(",")}
                if item["id"] not in ids:
                    continue
            if resource == "Practitioner":
                name = item["name"][0]
                family, given = name["family"].lower(), " ".join(name["given"]).lower()
                if first("family") and not family.startswith(first("family")):
                    continue
                if first("given") and not given.startswith(first("given")):
                    continue
                if first("name") and first("name") not in f"{family} {given}":
                    continue
                if first("identifier") and first("identifier") not in {
                    i["value"] for i in item["identifier"]
                }:
                    continue
            if resource == "Organization":
                if first("name") and first("name") not in item["name"].lower():
                    continue
                if (
                    first("address-city")
                    and first("address-city") != item["address"][0]["city"].lower()
                ):
                    continue
                if first("address-postalcode") and not item["address"][0]["postalCode"].startswith(
                    first("address-postalcode")
                ):
                    continue
            # mailbox-mss searches the resource's own boxes ("@" alone: has at least one).
            wanted = params.get("mailbox-mss:contains", [""])[0].lower()
            if wanted:
                boxes = [t["value"].lower() for t in item.get("telecom", []) if "extension" in t]
                if not any(wanted in b for b in boxes):
                    continue
            matches.append(item)
        return matches

    def _included(self, page: list[Any], params: dict[str, list[str]]) -> list[Any]:
        """What `_include` / `_revinclude` add to a page of matches."""
        refs = {f"{m['resourceType']}/{m['id']}" for m in page}
        wanted: list[Any] = []
        revinclude = params.get("_revinclude", [])
        include = params.get("_include", [])
        for item in self.resources:
            if item["resourceType"] == "PractitionerRole" and (
                "PractitionerRole:practitioner" in revinclude
                and item["practitioner"]["reference"] in refs
            ):
                wanted.append(item)
        roles = [m for m in page if m["resourceType"] == "PractitionerRole"]
        targets = set()
        if "PractitionerRole:practitioner" in include:
            targets |= {r["practitioner"]["reference"] for r in roles}
        if "PractitionerRole:organization" in include:
            targets |= {r["organization"]["reference"] for r in roles}
        wanted += [
            item for item in self.resources if f"{item['resourceType']}/{item['id']}" in targets
        ]
        return wanted

    def _bundle(self, path: str, params: dict[str, list[str]]) -> dict[str, Any]:
        resource = path.rstrip("/").rsplit("/", 1)[-1]
        matches = self._search(resource, params)
        count = int(params.get("_count", ["50"])[0])
        offset = int(params.get("_getpagesoffset", ["0"])[0])
        page = matches[offset : offset + count]
        page_included = self._included(page, params)
        base = self.next_base or f"http://{LOOPBACK}:{self._port}"
        links = [
            {
                "relation": "self",
                "url": f"{base}{path}?{urllib.parse.urlencode(params, doseq=True)}",
            }
        ]
        if offset + count < len(matches):
            following = dict(params)
            following["_getpagesoffset"] = [str(offset + count)]
            links.append(
                {
                    "relation": "next",
                    "url": f"{base}{path}?{urllib.parse.urlencode(following, doseq=True)}",
                }
            )
        entries = [
            {
                "fullUrl": f"{base}/fhir/v2/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in page
        ] + [
            {
                "fullUrl": f"{base}/fhir/v2/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "include"},
            }
            for r in page_included
        ]
        return {
            "resourceType": "Bundle",
            "id": "b-test",
            "meta": {"lastUpdated": "2025-01-01T00:00:00.000+01:00"},
            "type": "searchset",
            "total": len(matches),
            "link": links,
            "entry": entries,
        }

    # -------------------------------------------------------------- lifecycle

    @property
    def _port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def __enter__(self) -> FhirServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
                with owner._lock:
                    owner.requests.append(
                        Seen(
                            parts.path,
                            params,
                            {k.lower(): v for k, v in self.headers.items()},
                            time.monotonic(),
                        )
                    )
                    failure = owner._failures.pop(0) if owner._failures else None
                if failure is not None and failure.stall:
                    time.sleep(failure.stall)
                if failure is not None and failure.status:
                    self._send(failure.status, {"resourceType": "OperationOutcome"}, failure)
                    return
                if self.headers.get("ESANTE-API-KEY") != owner.api_key:
                    self._send(401, {"message": "Unauthorized"})
                    return
                if not parts.path.startswith("/fhir/v2/"):
                    self._send(404, {"resourceType": "OperationOutcome"})
                    return
                self._send(200, owner._bundle(parts.path, params))

            def _send(self, status: int, body: Any, failure: _Failure | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if failure is not None and failure.retry_after is not None:
                    self.send_header("Retry-After", failure.retry_after)
                self.end_headers()
                # The client may have given up (a timeout test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)


def sample_directory() -> list[dict[str, Any]]:
    """A few professionals and structures, with every kind of box the API returns."""
    chu = organization(
        "org-chu",
        name="CHU DE LYON",
        city="LYON",
        postcode="69003",
        telecom=[
            mss_telecom("cardiologie@chu-lyon.mssante.fr", "ORG", description="Cardiologie"),
            mss_telecom("labo@chu-lyon.mssante.fr", "APP", description="Laboratoire"),
        ],
    )
    house = organization(
        "org-house",
        name="CENTRE DE SANTE DR HOUSE",
        city="VILLEURBANNE",
        postcode="69100",
        telecom=[
            mss_telecom(
                "secretariat.drhouse@aura.mssante.fr", "ORG", description="DR HOUSE Secrétariat "
            )
        ],
    )
    people: list[dict[str, Any]] = [chu, house]
    people.append(
        practitioner(
            "p-1",
            rpps="10001234567",
            family="MARTIN",
            given="Hélène",
            speciality="Cardiologie et maladies vasculaires",
            telecom=[mss_telecom("helene.martin@medecin.mssante.fr", "PER")],
        )
    )
    people.append(
        role("r-1", "p-1", "org-chu", [mss_telecom("helene.martin@chu-lyon.mssante.fr", "PER")])
    )
    people.append(
        practitioner(
            "p-2",
            rpps="10007654321",
            family="MARTINEZ",
            given="Paul",
            profession="60",
            telecom=[],
        )
    )
    people.append(
        role("r-2", "p-2", "org-house", [mss_telecom("paul.martinez@aura.mssante.fr", "PER")])
    )
    # A professional without any MSSanté box: not a directory entry.
    people.append(practitioner("p-3", rpps="10000000001", family="MARTINOT", given="Luc"))
    return people


def many_practitioners(count: int, family: str = "DUPONT") -> Iterator[dict[str, Any]]:
    """`count` professionals sharing a surname (paging tests)."""
    for n in range(count):
        yield practitioner(
            f"pp-{n}",
            rpps=f"1009{n:07d}",
            family=family,
            given=f"Prenom{n:03d}",
            telecom=[mss_telecom(f"prenom{n:03d}.{family.lower()}@medecin.mssante.fr", "PER")],
        )
