"""The official Microsoft Graph Python SDK (msgraph-beta-sdk) against the mock generated for the
whole beta (`cargo xtask corpus --docs ../shared/graph-docs-all`), on the hand-written areas an
app calls most: users, groups and their members (`$ref` links), the signed-in user and their
mail, chats, and a sub-namespace's types (`microsoft.graph.externalConnectors.*`). The mock's address comes
from GRAPH_MOCK_URL and the certificate to trust from GRAPH_MOCK_CA; `.ci/sdk-python.sh
WORKSPACE` starts that workspace's mock and runs this file with pytest."""

import asyncio
import os
import sys
import uuid

import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.models.body_type import BodyType
from msgraph_beta.generated.models.chat import Chat
from msgraph_beta.generated.models.chat_message import ChatMessage
from msgraph_beta.generated.models.chat_type import ChatType
from msgraph_beta.generated.models.email_address import EmailAddress
from msgraph_beta.generated.models.external_connectors.external_connection import (
    ExternalConnection,
)
from msgraph_beta.generated.models.group import Group
from msgraph_beta.generated.models.item_body import ItemBody
from msgraph_beta.generated.models.message import Message
from msgraph_beta.generated.models.password_profile import PasswordProfile
from msgraph_beta.generated.models.recipient import Recipient
from msgraph_beta.generated.models.reference_create import ReferenceCreate
from msgraph_beta.generated.models.user import User

# The client set-up is the Intune tests' own.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from test_graph_sdk import BASE_URL, graph  # noqa: E402


def new_user(client, name):
    nickname = f"{name}{uuid.uuid4().hex[:8]}"
    return client.users.post(
        User(
            account_enabled=True,
            display_name=name,
            mail_nickname=nickname,
            user_principal_name=f"{nickname}@contoso.com",
            password_profile=PasswordProfile(password="xWwvJ]6NMw+bWH-d"),
        )
    )


def test_users_are_created_read_updated_and_deleted():
    async def run():
        client, _ = graph()
        created = await new_user(client, "Adele")
        assert isinstance(created, User) and created.id
        user = client.users.by_user_id(created.id)
        await user.patch(User(job_title="Buyer"))
        read = await user.get()
        assert (read.display_name, read.job_title) == ("Adele", "Buyer")
        # GET /users/$count answers a plain number, which the SDK reads as an int.
        count = RequestConfiguration()
        count.headers.add("ConsistencyLevel", "eventual")
        before = await client.users.count.get(request_configuration=count)
        assert isinstance(before, int) and before >= 1
        await user.delete()
        assert await client.users.count.get(request_configuration=count) == before - 1
        with pytest.raises(APIError) as gone:
            await user.get()
        assert gone.value.response_status_code == 404

    asyncio.run(run())


def test_a_member_is_linked_to_a_group_listed_as_a_user_and_unlinked():
    async def run():
        client, _ = graph()
        member = await new_user(client, "Megan")
        group = await client.groups.post(
            Group(
                display_name="Sales",
                mail_enabled=False,
                mail_nickname=f"sales{uuid.uuid4().hex[:8]}",
                security_enabled=True,
            )
        )
        members = client.groups.by_group_id(group.id).members
        await members.ref.post(ReferenceCreate(odata_id=f"{BASE_URL}/directoryObjects/{member.id}"))
        listed = (await members.get()).value
        # The SDK picks the class from @odata.type: a member that is a user reads as a User.
        assert [(type(m), m.id) for m in listed] == [(User, member.id)]
        assert listed[0].display_name == "Megan"
        await members.by_directory_object_id(member.id).ref.delete()
        assert (await members.get()).value == []
        # The user itself is still there: only the link went.
        assert (await client.users.by_user_id(member.id).get()).id == member.id

    asyncio.run(run())


def test_the_signed_in_user_reads_and_sends_mail():
    async def run():
        client, _ = graph()
        # The SDK's me() addresses /users/me-token-to-replace, which msgraph-core's
        # UrlReplaceHandler sends as /me.
        me = await client.me().get()
        assert isinstance(me, User)
        draft = await client.me().messages.post(
            Message(
                subject="Quarterly numbers",
                body=ItemBody(content_type=BodyType.Text, content="See attached."),
                to_recipients=[Recipient(email_address=EmailAddress(address="megan@contoso.com"))],
            )
        )
        assert isinstance(draft, Message) and draft.id
        read = await client.me().messages.by_message_id(draft.id).get()
        assert read.subject == "Quarterly numbers"
        assert read.body.content_type == BodyType.Text
        assert read.to_recipients[0].email_address.address == "megan@contoso.com"

    asyncio.run(run())


def test_a_chat_holds_its_messages():
    async def run():
        client, _ = graph()
        chat = await client.chats.post(Chat(chat_type=ChatType.Group, topic="Launch"))
        assert chat.chat_type == ChatType.Group
        messages = client.chats.by_chat_id(chat.id).messages
        sent = await messages.post(ChatMessage(body=ItemBody(content="Hello")))
        listed = (await messages.get()).value
        assert [m.id for m in listed] == [sent.id]
        assert listed[0].body.content == "Hello"

    asyncio.run(run())


def test_a_sub_namespace_type_round_trips_as_its_class():
    async def run():
        client, _ = graph()
        connections = client.external.connections
        created = await connections.post(
            ExternalConnection(id="contosohr", name="Contoso HR", description="HR tickets.")
        )
        # @odata.type is #microsoft.graph.externalConnectors.externalConnection, which the SDK
        # maps back to its class.
        assert isinstance(created, ExternalConnection), type(created)
        read = await connections.by_external_connection_id("contosohr").get()
        assert (type(read), read.name) == (ExternalConnection, "Contoso HR")

    asyncio.run(run())
