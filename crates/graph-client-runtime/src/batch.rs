//! JSON batching: up to 20 requests in one round trip to `POST <base>/$batch`.
//!
//! ```no_run
//! # async fn demo(client: seed_client::Client) -> Result<(), seed_client::Error> {
//! # use seed_client::model::DeviceManagementDomainJoinConnector as Connector;
//! let connectors = client.device_management().domain_join_connectors();
//! let mut batch = client.batch();
//! let created = batch.add(connectors.create(&Connector::default()));
//! let listed = batch.add_after(connectors.list(), &[created.id()]);
//! let answers = batch.send().await?;
//! let connector = answers.get(&created)?;   // typed, as the request alone would give it
//! let page = answers.get(&listed)?;
//! # let _ = (connector, page);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::Error;
use crate::request::{self, Decoder, Request};
use crate::transport::{Transport, graph_error};

/// Graph's limit on the requests of one batch.
pub const MAX_BATCH_REQUESTS: usize = 20;

/// A batch under construction: add requests, then [`Batch::send`] them together.
#[derive(Debug)]
pub struct Batch {
    transport: Transport,
    requests: Vec<Value>,
    /// Why an added request cannot be sent (reported by `send`).
    invalid: Option<String>,
}

/// Where a request's answer is in a batch, and how it decodes.
#[derive(Debug, Clone)]
pub struct BatchItem<T> {
    id: String,
    decode: Decoder<T>,
}

impl<T> BatchItem<T> {
    /// The request's id in the batch, for [`Batch::add_after`].
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The answers of a sent batch, by request.
#[derive(Debug)]
pub struct BatchAnswers {
    answers: BTreeMap<String, Answer>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

impl Batch {
    /// An empty batch sent through `transport`.
    pub fn new(transport: Transport) -> Batch {
        Batch {
            transport,
            requests: Vec::new(),
            invalid: None,
        }
    }

    /// Adds a request; its answer is read back with [`BatchAnswers::get`].
    pub fn add<T>(&mut self, request: impl Into<Request<T>>) -> BatchItem<T> {
        self.add_after(request, &[])
    }

    /// Adds a request that runs only after `after` (ids of requests already added) succeeded;
    /// if one failed, the service answers it with 424 without running it.
    pub fn add_after<T>(&mut self, request: impl Into<Request<T>>, after: &[&str]) -> BatchItem<T> {
        let request = request.into();
        let id = (self.requests.len() + 1).to_string();
        if let Some(problem) = &request.invalid {
            self.invalid.get_or_insert_with(|| problem.clone());
        }
        let mut item = json!({
            "id": id,
            "method": request.method.as_str(),
            "url": request.relative_url(),
        });
        let headers: BTreeMap<&str, &str> = request
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        if !headers.is_empty() {
            item["headers"] = json!(headers);
        }
        if let Some(body) = &request.body {
            item["body"] = serde_json::from_slice(body).unwrap_or(Value::Null);
            item["headers"]["Content-Type"] = json!("application/json");
        }
        if !after.is_empty() {
            item["dependsOn"] = json!(after);
        }
        self.requests.push(item);
        BatchItem {
            id,
            decode: request.decode,
        }
    }

    /// Sends the batch. An error here is the batch's own (refused whole, or not sent); each
    /// request's own outcome is in [`BatchAnswers::get`].
    pub async fn send(self) -> Result<BatchAnswers, Error> {
        if let Some(problem) = self.invalid {
            return Err(Error::InvalidInput(problem));
        }
        if self.requests.is_empty() || self.requests.len() > MAX_BATCH_REQUESTS {
            return Err(Error::InvalidInput(format!(
                "a batch holds from 1 to {MAX_BATCH_REQUESTS} requests, not {}",
                self.requests.len()
            )));
        }
        #[derive(Deserialize)]
        struct Answers {
            responses: Vec<Answer>,
        }
        let body = json!({ "requests": self.requests });
        let answers: Answers = Request::new(
            self.transport,
            Method::POST,
            "/$batch".to_owned(),
            Some(&body),
            request::json,
        )
        .send()
        .await?;
        Ok(BatchAnswers {
            answers: answers
                .responses
                .into_iter()
                .map(|a| (a.id.clone(), a))
                .collect(),
        })
    }
}

impl BatchAnswers {
    /// The answer to `item`: its typed result, or its Graph error (424 for a request whose
    /// dependency failed).
    pub fn get<T>(&self, item: &BatchItem<T>) -> Result<T, Error> {
        let answer = self.answers.get(&item.id).ok_or_else(|| {
            Error::InvalidInput(format!("the batch has no answer for request {}", item.id))
        })?;
        let body = answer
            .body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        if (200..300).contains(&answer.status) {
            return (item.decode)(&body);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &answer.headers {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::try_from(name.as_str()),
                reqwest::header::HeaderValue::try_from(value.as_str()),
            ) {
                headers.insert(name, value);
            }
        }
        let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
        Err(graph_error(status, &headers, &body, ""))
    }

    /// The status `item` was answered with.
    pub fn status<T>(&self, item: &BatchItem<T>) -> Option<u16> {
        self.answers.get(&item.id).map(|a| a.status)
    }
}
