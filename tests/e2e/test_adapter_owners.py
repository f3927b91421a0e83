"""The framework adapters refuse what the owner's token does not allow, with the SDK's typed
errors: in both end-to-end runs (the errors must be the same when a deployment redacts
them). Everything else about the adapters raises no error and runs once
(test_langchain_*.py, test_openai_agents_session.py)."""

from __future__ import annotations

import convex_agent_memory as cam
import pytest
from convex_agent_memory.langchain import ConvexChatMessageHistory, ConvexVectorStore
from convex_agent_memory.openai_agents import ConvexSession
from langchain_core.documents import Document

from .conftest import Deployment, uid
from .test_langchain_vectorstore import DOCS, WordEmbeddings, _store, ids


async def test_users_search_and_only_services_write(deployment: Deployment) -> None:
    async for store in _store(deployment, WordEmbeddings()):
        store.add_documents(DOCS[:2])
        with cam.Client(url=deployment.url, token=deployment.token_a) as user:
            reader = ConvexVectorStore(WordEmbeddings(), index_name=store.index_name, client=user)
            assert ids(reader.similarity_search("reactive", k=1)) == ["d1"]
            assert ids(reader.get_by_ids(["d2"])) == ["d2"]
            with pytest.raises(cam.ForbiddenError):
                reader.add_documents([Document("nope")])
            with pytest.raises(cam.ForbiddenError):
                reader.delete(["d1"])


def test_chat_histories_of_two_owners(deployment: Deployment) -> None:
    deployment.skip_unless("b")
    assert deployment.user_b is not None
    with (
        cam.Client(url=deployment.url, token=deployment.token_a) as client_a,
        cam.Client(url=deployment.url, token=deployment.token_b) as client_b,
    ):
        thread = uid("h")
        mine = ConvexChatMessageHistory(
            client=client_a, resource_id=deployment.user_a, thread_id=thread
        )
        other = ConvexChatMessageHistory(
            client=client_a, resource_id=deployment.user_a, thread_id=uid("h")
        )
        mine.add_user_message("mine")
        other.add_user_message("other thread")
        other.clear()
        assert [m.content for m in mine.messages] == ["mine"]
        intruder = ConvexChatMessageHistory(
            client=client_b, resource_id=deployment.user_a, thread_id=thread
        )
        with pytest.raises(cam.ForbiddenError):
            _ = intruder.messages
        with pytest.raises(cam.ForbiddenError):
            intruder.add_user_message("x")
        own = ConvexChatMessageHistory(
            client=client_b, resource_id=deployment.user_b, thread_id=thread
        )
        assert own.messages == []  # the same thread id under another owner is another thread


async def test_a_user_reaches_only_its_own_sessions(deployment: Deployment) -> None:
    deployment.skip_unless("b")
    assert deployment.user_b is not None
    async with cam.AsyncClient(url=deployment.url, token=deployment.token_b) as client_b:
        intruder = ConvexSession(uid("s"), resource_id=deployment.user_a, async_client=client_b)
        with pytest.raises(cam.ForbiddenError):
            await intruder.get_items()
        with pytest.raises(cam.ForbiddenError):
            await intruder.add_items([{"role": "user", "content": "x"}])
        with pytest.raises(cam.ForbiddenError):
            await intruder.clear_session()
