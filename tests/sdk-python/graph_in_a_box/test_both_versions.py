"""The official Microsoft Graph Python SDKs, v1.0 (msgraph-sdk) and beta (msgraph-beta-sdk), against
one `graph-mock` serving all of Graph: /v1.0 and /beta on one host over one store, as Graph
does. Users and groups through each, a user read by its principal name, `$search` with
`ConsistencyLevel: eventual`, a member linked with `$ref` and listed, `$top` paging with
the SDK's page iterator, a batch as msgraph-core builds it once its client has made a call
(absolute item urls), and what one version writes read through the other. The mock's host comes
from GRAPH_MOCK_HOST (`https://127.0.0.1:PORT`) and the certificate to trust from
GRAPH_MOCK_CA; `.ci/sdk-python.sh graph-in-a-box` starts `graph-mock` and runs this file."""

import asyncio
import os
import uuid
from urllib.parse import urlparse

import httpx
import msgraph
import msgraph_beta
import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.group import Group
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.models.user import User
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_beta.generated.models.user import User as BetaUser
from msgraph_core import APIVersion, GraphClientFactory
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.page_iterator import PageIterator

HOST_URL = os.environ["GRAPH_MOCK_HOST"]
CA = os.environ["GRAPH_MOCK_CA"]


class StaticToken(AccessTokenProvider):
    """A fixed token, sent to the mock's host only."""

    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return "sdk-python-token"

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([urlparse(HOST_URL).hostname])


def client(sdk, version):
    """A GraphServiceClient of `sdk` (msgraph or msgraph_beta) for `version`, with the SDK's
    default middleware and a client that trusts the mock's certificate."""
    http = GraphClientFactory.create_with_default_middleware(
        api_version=version,
        client=httpx.AsyncClient(verify=CA),
        options=sdk.graph_request_adapter.options,
    )
    adapter = sdk.GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()), http)
    adapter.base_url = f"{HOST_URL}/{version.value}"
    return sdk.GraphServiceClient(request_adapter=adapter), adapter


def v1():
    return client(msgraph, APIVersion.v1)


def beta():
    return client(msgraph_beta, APIVersion.beta)


def a_user(cls, name):
    nickname = f"{name}{uuid.uuid4().hex[:8]}"
    return cls(
        account_enabled=True,
        display_name=name,
        mail_nickname=nickname,
        user_principal_name=f"{nickname}@contoso.com",
        password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d"),
    )


def test_a_user_written_through_one_version_is_read_through_the_other():
    async def run():
        (graph, _), (graph_beta, _) = v1(), beta()
        created = await graph_beta.users.post(a_user(BetaUser, "Adele"))
        assert isinstance(created, BetaUser) and created.id
        read = await graph.users.by_user_id(created.id).get()
        assert isinstance(read, User)
        assert (read.id, read.display_name) == (created.id, "Adele")
        await graph.users.by_user_id(created.id).patch(User(job_title="Buyer"))
        assert (await graph_beta.users.by_user_id(created.id).get()).job_title == "Buyer"
        await graph.users.by_user_id(created.id).delete()
        with pytest.raises(APIError) as gone:
            await graph_beta.users.by_user_id(created.id).get()
        assert gone.value.response_status_code == 404

    asyncio.run(run())


def test_a_user_by_principal_name_and_search_with_eventual_consistency():
    async def run():
        (graph, _), (graph_beta, _) = v1(), beta()
        unique = f"Searchable{uuid.uuid4().hex[:8]}"
        created = await graph.users.post(a_user(User, unique))
        # `by_user_id` takes a user principal name as Graph does (an alternate key).
        by_name = await graph_beta.users.by_user_id(created.user_principal_name).get()
        assert by_name.id == created.id
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            search=f'"displayName:{unique}"', count=True
        )
        eventual = RequestConfiguration(query_parameters=query)
        eventual.headers.add("ConsistencyLevel", "eventual")
        found = await graph.users.get(eventual)
        assert ([u.id for u in found.value], found.odata_count) == ([created.id], 1)
        # Without the header, Graph (and the mock) refuse `$search` on directory objects.
        with pytest.raises(APIError) as refused:
            await graph.users.get(RequestConfiguration(query_parameters=query))
        assert refused.value.response_status_code == 400
        assert "ConsistencyLevel" in refused.value.error.message

    asyncio.run(run())


def test_groups_and_a_member_linked_with_ref_through_v1():
    async def run():
        graph, _ = v1()
        member = await graph.users.post(a_user(User, "Megan"))
        group = await graph.groups.post(
            Group(
                display_name="Sales",
                mail_enabled=False,
                mail_nickname=f"sales{uuid.uuid4().hex[:8]}",
                security_enabled=True,
            )
        )
        assert isinstance(group, Group) and group.id
        await graph.groups.by_group_id(group.id).patch(Group(description="The sales team"))
        assert (await graph.groups.by_group_id(group.id).get()).description == "The sales team"
        members = graph.groups.by_group_id(group.id).members
        await members.ref.post(
            ReferenceCreate(odata_id=f"{HOST_URL}/v1.0/directoryObjects/{member.id}")
        )
        listed = (await members.get()).value
        assert [(type(m), m.id) for m in listed] == [(User, member.id)]
        # The beta sees the same link.
        graph_beta, _ = beta()
        beta_members = (await graph_beta.groups.by_group_id(group.id).members.get()).value
        assert [m.id for m in beta_members] == [member.id]
        await graph.groups.by_group_id(group.id).delete()
        with pytest.raises(APIError) as gone:
            await graph.groups.by_group_id(group.id).get()
        assert gone.value.response_status_code == 404

    asyncio.run(run())


def test_top_pages_through_the_page_iterator():
    async def run():
        graph, adapter = v1()
        prefix = f"pager{uuid.uuid4().hex[:6]}"
        for i in range(25):
            await graph.users.post(a_user(User, f"{prefix}{i:02}"))
        query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            top=10, filter=f"startswith(displayName, '{prefix}')"
        )
        first = await graph.users.get(RequestConfiguration(query_parameters=query))
        assert len(first.value) == 10
        assert first.odata_next_link.startswith(f"{HOST_URL}/v1.0/users?")
        seen = []

        def visit(user):
            seen.append(user.display_name)
            return True

        await PageIterator(first, adapter).iterate(visit)
        assert sorted(seen) == [f"{prefix}{i:02}" for i in range(25)]

    asyncio.run(run())


def test_a_batch_after_a_call_as_msgraph_core_builds_it():
    async def run():
        graph, adapter = v1()
        # A call first: msgraph-core then writes each item's url absolute, with this base.
        await graph.users.get()
        create = BatchRequestItem(
            request_information=graph.users.to_post_request_information(a_user(User, "Batched"))
        )
        listing = BatchRequestItem(
            request_information=graph.users.to_get_request_information(), depends_on=[create]
        )
        missing = BatchRequestItem(
            request_information=graph.users.by_user_id("no-such-id").to_get_request_information()
        )
        content = BatchRequestContent({})
        for item in (create, listing, missing):
            content.add_request(item.id, item)
        answers = await BatchRequestBuilder(adapter).post(content)
        statuses = answers.get_response_status_codes()
        assert (statuses[create.id], statuses[listing.id], statuses[missing.id]) == (201, 200, 404)
        location = answers.get_response_by_id(create.id).headers["Location"]
        assert location.startswith(f"{HOST_URL}/v1.0/users/")
        created = await graph.users.by_user_id(location.rsplit("/", 1)[1]).get()
        assert created.display_name == "Batched"

    asyncio.run(run())
