"""The official Microsoft Graph Python SDK (msgraph-beta-sdk with msgraph-core) against the mock
over HTTPS, as an app would use it against Graph: request builders for CRUD, query parameters,
msgraph-core's PageIterator and its batch request builder. The mock's address comes from
GRAPH_MOCK_URL (https://127.0.0.1:<port>/beta) and the certificate to trust from GRAPH_MOCK_CA;
`.ci/sdk-python.sh` starts the mock and runs this file with pytest."""

import asyncio
import os
import uuid
from urllib.parse import urlparse

import httpx
import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphRequestAdapter, GraphServiceClient, graph_request_adapter
from msgraph_beta.generated.device_management.domain_join_connectors.domain_join_connectors_request_builder import (
    DomainJoinConnectorsRequestBuilder,
)
from msgraph_beta.generated.models.device_management_domain_join_connector import (
    DeviceManagementDomainJoinConnector,
)
from msgraph_beta.generated.models.device_management_domain_join_connector_state import (
    DeviceManagementDomainJoinConnectorState,
)
from msgraph_core import APIVersion, GraphClientFactory
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.page_iterator import PageIterator

BASE_URL = os.environ["GRAPH_MOCK_URL"]
CA = os.environ["GRAPH_MOCK_CA"]
HOST = urlparse(BASE_URL).hostname


class StaticToken(AccessTokenProvider):
    """A fixed token, sent to the mock's host only."""

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return "sdk-python-token"

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([HOST])


def graph():
    # The middleware options GraphRequestAdapter uses by default (its client would not trust
    # the mock's certificate): among them the URL replacement that sends `me()` as /me.
    http = GraphClientFactory.create_with_default_middleware(
        api_version=APIVersion.beta,
        client=httpx.AsyncClient(verify=CA),
        options=graph_request_adapter.options,
    )
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()), http)
    adapter.base_url = BASE_URL
    return GraphServiceClient(request_adapter=adapter), adapter


def connector(name, state=DeviceManagementDomainJoinConnectorState.Active):
    return DeviceManagementDomainJoinConnector(display_name=name, state=state, version="1.0")


def test_crud_through_the_request_builders():
    async def run():
        client, _ = graph()
        connectors = client.device_management.domain_join_connectors
        created = await connectors.post(connector("py crud"))
        assert created.display_name == "py crud"
        assert created.state == DeviceManagementDomainJoinConnectorState.Active
        read = await connectors.by_device_management_domain_join_connector_id(created.id).get()
        assert read.id == created.id
        await connectors.by_device_management_domain_join_connector_id(created.id).patch(
            DeviceManagementDomainJoinConnector(display_name="py renamed")
        )
        renamed = await connectors.by_device_management_domain_join_connector_id(created.id).get()
        assert renamed.display_name == "py renamed"
        assert renamed.version == "1.0", "PATCH keeps what it does not name"
        await connectors.by_device_management_domain_join_connector_id(created.id).delete()
        with pytest.raises(APIError) as missing:
            await connectors.by_device_management_domain_join_connector_id(created.id).get()
        assert missing.value.response_status_code == 404

    asyncio.run(run())


def test_query_parameters_and_the_page_iterator_over_250_items():
    async def run():
        client, adapter = graph()
        connectors = client.device_management.domain_join_connectors
        prefix = f"py-page-{uuid.uuid4().hex[:8]}-"
        for i in range(250):
            await connectors.post(connector(f"{prefix}{i:03}"))
        query = DomainJoinConnectorsRequestBuilder.DomainJoinConnectorsRequestBuilderGetQueryParameters(
            top=50, filter=f"startswith(displayName, '{prefix}')", count=True
        )
        first = await connectors.get(RequestConfiguration(query_parameters=query))
        assert len(first.value) == 50
        assert first.odata_count == 250
        assert first.odata_next_link.startswith("https://")
        seen = []

        def visit(item):
            seen.append(item.display_name)
            return True

        iterator = PageIterator(first, adapter)
        await iterator.iterate(visit)
        assert len(seen) == 250
        assert len(set(seen)) == 250

    asyncio.run(run())


def test_the_batch_request_builder():
    async def run():
        client, adapter = graph()
        connectors = client.device_management.domain_join_connectors
        create = BatchRequestItem(
            request_information=connectors.to_post_request_information(connector("py batch"))
        )
        listing = BatchRequestItem(
            request_information=connectors.to_get_request_information(), depends_on=[create]
        )
        missing = BatchRequestItem(
            request_information=connectors.by_device_management_domain_join_connector_id(
                "no-such-id"
            ).to_get_request_information()
        )
        content = BatchRequestContent({})
        for item in (create, listing, missing):
            content.add_request(item.id, item)
        answers = await BatchRequestBuilder(adapter).post(content)
        statuses = answers.get_response_status_codes()
        assert statuses[create.id] == 201
        assert statuses[listing.id] == 200
        assert statuses[missing.id] == 404
        # msgraph-core 1.5.2 reads an answer's body as base64 bytes, so the JSON object Graph (and
        # the mock) answer with is not readable through it; the headers are.
        headers = answers.get_response_by_id(create.id).headers
        assert headers["Location"].startswith(BASE_URL + "/deviceManagement/domainJoinConnectors/")
        query = DomainJoinConnectorsRequestBuilder.DomainJoinConnectorsRequestBuilderGetQueryParameters(
            filter="displayName eq 'py batch'"
        )
        listed = await connectors.get(RequestConfiguration(query_parameters=query))
        assert [c.id for c in listed.value] == [headers["Location"].rsplit("/", 1)[1]]

    asyncio.run(run())
