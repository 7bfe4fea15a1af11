"""Keeping feeds added by chat command away from the operator's own network (SSRF guard).

Anyone an admin lets type `/sitrep subscribe URL` chooses where the bot connects. Without a guard
that URL could be the cloud metadata service (credentials), a database on localhost, or a router
on the office LAN, and the bot would fetch it and tell the channel what came back. The guard
refuses every address that is not on the public internet, at three points:

1. the URL as typed (`check_url`): scheme, credentials, `localhost`, private-use names (`.internal`,
   `.local`, one-label names the search domains would complete), IP literals, and the numeric
   spellings that resolvers accept but humans do not read as addresses (`2130706433`, `0x7f.1`,
   `0177.0.0.1`), checked both as typed and as the HTTP client will use them (IDNA maps
   `127。0。0。1` to `127.0.0.1`);
2. every request the client makes, redirect hops included (`GuardedTransport` checks each URL);
3. the addresses a host name resolves to, checked at connect time and then connected to directly
   (`GuardedBackend`), so a DNS answer that changes between a check and the connection (DNS
   rebinding) cannot slip through: the address checked is the address used. TLS still verifies
   the certificate against the host name.

Feeds written in the config are fetched as written, but every redirect hop after their first
request goes through this guard as well (the app passes the guarded client to their fetcher as
`redirect_client`): the operator vouched for the URL, not for where its server sends us.

`http.allow_private_addresses: true` turns the guard off, for operators whose feeds live on their
own network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.config.settings import HttpConfig
from bot.errors import SitrepError
from bot.http.fetch import no_cookie_jar, user_agent

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud instance-metadata services: AWS/GCP/Azure/OpenStack (169.254.169.254), AWS over IPv6
# (fd00:ec2::254), Azure's wire server (168.63.129.16, a public address), Alibaba (100.100.100.200).
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "168.63.129.16", "100.100.100.200"))
CGNAT = ipaddress.ip_network("100.64.0.0/10")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
# Names that only ever mean something inside a network: reserved private-use and mDNS domains, and
# the metadata service's own name on Google Cloud (metadata.google.internal).
PRIVATE_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp")

# What inet_aton accepts: one to four parts, each decimal, octal (leading 0) or hex (0x).
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")
_CANONICAL_V4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")


class BlockedAddress(SitrepError, httpx.ConnectError):
    """A request the guard refused. It is an `httpx.ConnectError` too, so code that already
    treats connection failures as data (the fetcher's `FetchResult`) reports it without a crash."""

    def __init__(self, message: str) -> None:
        httpx.ConnectError.__init__(self, message)


def address_problem(ip: IPAddress) -> str | None:
    """Why this address is not on the public internet, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"an IPv4-mapped IPv6 address ({ip.ipv4_mapped})"
        if ip in IPV4_COMPATIBLE and not (ip.is_unspecified or ip.is_loopback):
            return "an IPv4-compatible IPv6 address"
        if ip.sixtofour is not None and address_problem(ip.sixtofour):
            return f"a 6to4 address wrapping {ip.sixtofour}"
        if ip.teredo is not None:
            return "a Teredo tunnel address"
        for prefix in NAT64:
            if ip in prefix:
                inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
                if address_problem(inner):
                    return f"a NAT64 address wrapping {inner}"
        if ip.scope_id:
            return "an address with a zone index"
    if ip in METADATA:
        return "a cloud metadata address"
    checks = (
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "a carrier-grade NAT address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a guarded client may connect to.

    `allow_private` switches the guard off. `allow` lists networks that are let through even
    though they are not public: one known internal feed server, say, or a test's loopback server.
    """

    allow_private: bool = False
    allow: Sequence[IPNetwork] = field(default_factory=tuple)

    def problem(self, ip: IPAddress) -> str | None:
        if self.allow_private or any(ip.version == net.version and ip in net for net in self.allow):
            return None
        return address_problem(ip)

    def check_address(self, host: str, address: str) -> IPAddress:
        """The address, parsed, if the policy allows it; else BlockedAddress saying why not."""
        bare, _, zone = address.partition("%")
        ip = ipaddress.ip_address(bare)
        reason = "an address with a zone index" if zone and not self.allow_private else self.problem(ip)
        if reason and host == address:
            raise BlockedAddress(f"refused: {host} is {reason}")
        if reason:
            raise BlockedAddress(f"refused: {host} resolves to {address}, which is {reason}")
        return ip

    def check_url(self, url: str) -> None:
        """Refuse a URL before any DNS or connection: wrong scheme, credentials, local names, and
        IP literals or numeric host spellings that are not public."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise BlockedAddress(f"refused: {url!r} is not a valid URL ({error})") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise BlockedAddress(f"refused: only http(s) URLs can be fetched, not {url[:80]!r}")
        if parts.username is not None or parts.password is not None:
            raise BlockedAddress("refused: URLs with a user name or password are not accepted")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise BlockedAddress(f"refused: {url!r} has no host")
        if port == 0:
            raise BlockedAddress("refused: port 0")
        # The host as the HTTP client will connect to it: IDNA maps "127。0。0。1" (ideographic full
        # stops) to 127.0.0.1, so the spelling checked must be the one that is used, and both are.
        try:
            used = httpx.URL(url).host.rstrip(".").lower()
        except (httpx.InvalidURL, ValueError, UnicodeError) as error:
            raise BlockedAddress(f"refused: {url[:80]!r} is not a valid URL ({error})") from None
        if self.allow_private:
            return
        for name in dict.fromkeys((host, used)):
            self._check_host(name)

    def _check_host(self, host: str) -> None:
        if "%" in host and ":" not in host:
            raise BlockedAddress(f"refused: {host[:80]!r} is not a host name")  # percent-escapes, NUL bytes
        if host in LOCAL_NAMES or host.endswith(".localhost"):
            raise BlockedAddress(f"refused: {host} is this machine")
        if host.endswith(PRIVATE_SUFFIXES):
            raise BlockedAddress(f"refused: {host} is a name for a private network")
        literal = _ip_literal(host)
        if literal is not None:
            self.check_address(host, literal)
        elif _NUMERIC_HOST.match(host):
            raise BlockedAddress(f"refused: {host} is a numeric address in an unusual spelling; "
                                 "write a host name or a dotted-decimal address")
        elif "." not in host:
            # One label: the resolver completes it with the machine's search domains (an intranet host).
            raise BlockedAddress(f"refused: {host} is not a public host name (it has no domain)")


def _ip_literal(host: str) -> str | None:
    """The host as an address string when it is a plain IPv4 or IPv6 literal."""
    if _CANONICAL_V4.match(host):
        return host
    if ":" in host:
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
        return host
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host, in its order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the check at the only point that matters: resolve the host,
    refuse if *any* address is not allowed (a name with one public and one private address is
    refused), then connect to a checked address itself."""

    def __init__(self, policy: AddressPolicy, *, resolver: Resolver | None = None,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.resolver = resolver or system_resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def resolve(self, host: str, port: int) -> list[str]:
        """The checked addresses for a host; raises BlockedAddress or httpcore.ConnectError."""
        literal = _ip_literal(host.strip("[]").lower())
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = await self.resolver(host, port)
            except (OSError, UnicodeError) as error:
                raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        for address in addresses:
            self.policy.check_address(host, address)
        return addresses

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109 - httpcore's API
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolve(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,  # noqa: ASYNC109
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("refused: Unix sockets are not reachable from a feed URL")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that checks every request's URL (so each redirect hop too) and connects
    only through `GuardedBackend`. Environment proxies are never used: a proxy would make the
    connection on our behalf and the address check would see only the proxy."""

    def __init__(self, policy: AddressPolicy, *, resolver: Resolver | None = None,
                 limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=10, max_keepalive_connections=5)
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self.policy = policy
        self.backend = GuardedBackend(policy, resolver=resolver)
        # httpx builds its httpcore pool without a way to pass a network backend; this is the one
        # place we reach in, and the assertion fails loudly if a new httpx changes the shape.
        assert isinstance(self._pool, httpcore.AsyncConnectionPool), "unexpected httpx internals"
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=self.backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.policy.check_url(str(request.url))
        return await super().handle_async_request(request)


def policy_for(config: HttpConfig, *, allow: Sequence[IPNetwork] = ()) -> AddressPolicy:
    return AddressPolicy(allow_private=config.allow_private_addresses, allow=tuple(allow))


def guarded_transport(config: HttpConfig, *, resolver: Resolver | None = None,
                      allow: Sequence[IPNetwork] = ()) -> httpx.AsyncBaseTransport:
    """The transport for fetching URLs that users supplied (feeds added by command)."""
    return GuardedTransport(policy_for(config, allow=allow), resolver=resolver,
                            limits=httpx.Limits(max_connections=config.concurrency,
                                                max_keepalive_connections=config.concurrency))


def guarded_client(config: HttpConfig, *, resolver: Resolver | None = None,
                   allow: Sequence[IPNetwork] = ()) -> httpx.AsyncClient:
    """An httpx client like the fetcher's (timeouts, redirect limit, User-Agent) whose every
    connection, redirects included, goes through the guard."""
    return httpx.AsyncClient(
        transport=guarded_transport(config, resolver=resolver, allow=allow),
        headers={"User-Agent": user_agent(config.contact), "Accept-Encoding": "gzip, deflate, br"},
        timeout=httpx.Timeout(
            connect=config.connect_timeout.total_seconds(), read=config.read_timeout.total_seconds(),
            write=config.read_timeout.total_seconds(), pool=config.total_timeout.total_seconds()),
        follow_redirects=True, max_redirects=config.max_redirects, trust_env=False, cookies=no_cookie_jar())
