//! Commands of 收文 (documents other organs sent here through the 公文交换) and 回执
//! (who signed the documents this organ sent): the lists, the detail, 签收 and 登记.

use gongwen_domain::workflow::FlowKind;
use tauri::State;

use crate::dto::{
    ActResult, FirstStepChoice, IncomingCounts, IncomingDetail, IncomingListPage, IncomingQuery,
    IncomingStage, InstructRequest, RegisterRequest, RegisterResult, RouteChoice, SentDocumentRow,
    SignResult,
};
use crate::error::CommandError;
use crate::state::AppState;

/// One page of a 收文 list (待签收, 待登记, 已登记), filtered, newest first.
#[tauri::command]
pub async fn incoming_list(
    state: State<'_, AppState>,
    stage: IncomingStage,
    query: Option<IncomingQuery>,
    offset: usize,
    limit: usize,
) -> Result<IncomingListPage, CommandError> {
    let filter = query.unwrap_or_default().filter(stage);
    Ok(state.client()?.incoming(&filter, offset, limit)?.into())
}

/// The counts beside the 收文 entries of the navigation.
#[tauri::command]
pub async fn incoming_counts(state: State<'_, AppState>) -> Result<IncomingCounts, CommandError> {
    Ok(state.client()?.incoming_counts()?.into())
}

/// One incoming document: as issued, its files, sender and registration.
#[tauri::command]
pub async fn incoming_detail(
    state: State<'_, AppState>,
    incoming_id: String,
) -> Result<IncomingDetail, CommandError> {
    Ok(state.client()?.incoming_detail(&incoming_id)?.into())
}

/// 签收: recorded here at once (已签收（待同步）) and sent to the sender with the next sync.
#[tauri::command]
pub async fn sign_incoming(
    state: State<'_, AppState>,
    incoming_id: String,
) -> Result<SignResult, CommandError> {
    let result: SignResult = state.client()?.sign_incoming(&incoming_id)?.into();
    state.changed();
    Ok(result)
}

/// The 收文编号 登记 would give now, for the form to propose.
#[tauri::command]
pub async fn suggest_receipt_number(
    state: State<'_, AppState>,
    incoming_id: String,
) -> Result<String, CommandError> {
    Ok(state.client()?.suggest_receipt_number(&incoming_id)?)
}

/// 登记: records the particulars and starts the 收文 flow.
#[tauri::command]
pub async fn register_incoming(
    state: State<'_, AppState>,
    incoming_id: String,
    request: RegisterRequest,
) -> Result<RegisterResult, CommandError> {
    let result: RegisterResult = state
        .client()?
        .register_incoming(&incoming_id, &request.into())?
        .into();
    state.changed();
    Ok(result)
}

/// The 收文 route templates 登记 may use: the organ's first, then the standard ones it
/// does not replace.
#[tauri::command]
pub async fn incoming_routes(state: State<'_, AppState>) -> Result<Vec<RouteChoice>, CommandError> {
    Ok(state
        .client()?
        .route_templates()?
        .into_iter()
        .filter(|t| t.kind == FlowKind::Incoming && !t.shadowed)
        .map(RouteChoice::from)
        .collect())
}

/// The first step 登记 would start with `route` (none: chosen by 文种) and who the
/// template gives it to: the default the 登记 form shows.
#[tauri::command]
pub async fn first_step_preview(
    state: State<'_, AppState>,
    incoming_id: String,
    route: Option<String>,
) -> Result<FirstStepChoice, CommandError> {
    Ok(state
        .client()?
        .first_step_preview(&incoming_id, route.as_deref())?
        .into())
}

/// 回执: the documents this organ sent, with each recipient organ signed or not.
#[tauri::command]
pub async fn receipt_overview(
    state: State<'_, AppState>,
) -> Result<Vec<SentDocumentRow>, CommandError> {
    Ok(state
        .client()?
        .receipt_overview()?
        .into_iter()
        .map(SentDocumentRow::from)
        .collect())
}

/// 批办: approves the 批办 task with the 主办/协办 departments and the 办理时限 of 承办.
#[tauri::command]
pub async fn instruct_task(
    state: State<'_, AppState>,
    request: InstructRequest,
) -> Result<ActResult, CommandError> {
    let task_id = request.task_id.clone();
    let result: ActResult = state.client()?.instruct(&task_id, &request.into())?.into();
    state.changed();
    Ok(result)
}

/// Saves one file of an incoming document (by name, or `pdf`) where the user chose.
#[tauri::command]
pub async fn save_incoming_file(
    state: State<'_, AppState>,
    incoming_id: String,
    file: String,
    path: String,
) -> Result<String, CommandError> {
    Ok(state
        .client()?
        .save_incoming_file(&incoming_id, &file, std::path::Path::new(&path))?
        .display()
        .to_string())
}

#[cfg(test)]
mod tests {
    //! The 收文 commands booted on Tauri's mock runtime with a real client store, invoked
    //! through IPC as the UI does (see `crate::tests` for the harness this mirrors).

    use std::sync::Arc;

    use gongwen_client::api::OpenOptions;
    use gongwen_client::flow::Person;
    use gongwen_client::key::{Key, StaticKey};
    use gongwen_domain::Document;
    use gongwen_protocol::exchange::{Incoming, ItemState, OrganRef, PersonRef, Receipt};
    use serde_json::{Value, json};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
    use tauri::webview::InvokeRequest;
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};
    use tempfile::TempDir;

    use crate::{AppState, app_builder};

    const ORGAN: &str = "鹤山镇人民政府";

    fn organ(code: &str, name: &str) -> OrganRef {
        OrganRef {
            code: code.into(),
            name: name.into(),
        }
    }

    fn person(login: &str, name: &str) -> PersonRef {
        PersonRef {
            login: login.into(),
            display_name: name.into(),
        }
    }

    fn document(title: &str, urgency: Option<&str>) -> Value {
        let mut doc = json!({
            "doc_type": "通知",
            "issuers": [{ "name": "鹤山市财政局", "mark": "鹤山市财政局文件" }],
            "doc_number": { "prefix": "鹤财", "year": 2026, "seq": 18 },
            "title": title,
            "main_recipients": ["各镇人民政府"],
            "body": "现将有关事项通知如下。",
            "signatures": ["鹤山市财政局"],
            "date": "2026-11-27"
        });
        if let Some(u) = urgency {
            doc["urgency"] = json!(u);
        }
        doc
    }

    fn incoming(id: &str, title: &str, urgency: Option<&str>, day: u8) -> Incoming {
        Incoming {
            id: id.into(),
            exchange_id: format!("{id}-x"),
            document_id: format!("{id}-doc"),
            from: organ("鹤财", "鹤山市财政局"),
            to: organ("鹤山镇", ORGAN),
            title: title.into(),
            doc_number: Some("鹤财〔2026〕18号".into()),
            document: document(title, urgency),
            content_hash: None,
            pdf: None,
            attachments: Vec::new(),
            sent_by: person("chen", "陈文书"),
            delivered_at: format!("2026-11-{day:02}T09:00:00+08:00"),
            state: ItemState::Delivered,
            signed_by: None,
            signed_at: None,
        }
    }

    /// A store opened as 孙八 (文书 and 办公室主任: he registers and does 初审), with two
    /// delivered items and the people the 收文 routes need.
    fn store(dir: &TempDir) -> gongwen_client::Client {
        let client = OpenOptions::new(dir.path())
            .create(true)
            .keys(Arc::new(StaticKey(Key::random().expect("random key"))))
            .user("孙八")
            .open()
            .expect("store opens");
        for (id, roles) in [
            ("孙八", vec!["文书", "办公室主任"]),
            ("赵六", vec!["分管领导", "领导班子成员"]),
            ("周九", vec!["主要负责人", "领导班子成员"]),
        ] {
            client
                .add_person(&Person {
                    id: id.into(),
                    name: id.into(),
                    organ: "鹤山镇".into(),
                    dept: "党政办".into(),
                    roles: roles.into_iter().map(Into::into).collect(),
                })
                .expect("person added");
        }
        client
            .store_incoming(&incoming(
                "in-1",
                "关于做好部门预算编制工作的通知",
                Some("加急"),
                26,
            ))
            .expect("stored");
        client
            .store_incoming(&incoming("in-2", "关于开展冬季安全检查的通知", None, 27))
            .expect("stored");
        client
    }

    fn boot(client: gongwen_client::Client) -> App<MockRuntime> {
        app_builder(mock_builder(), AppState::with_client(client))
            .build(tauri::generate_context!())
            .expect("app builds")
    }

    /// The main window (built here when the mock app did not create it).
    fn window(app: &App<MockRuntime>) -> WebviewWindow<MockRuntime> {
        app.get_webview_window("main").unwrap_or_else(|| {
            WebviewWindowBuilder::new(app, "main", Default::default())
                .build()
                .expect("window builds")
        })
    }

    fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("json body"))
    }

    fn ids(page: &Value) -> Vec<String> {
        page["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_owned())
            .collect()
    }

    #[test]
    fn items_are_listed_by_stage_filtered_signed_and_registered() {
        let dir = TempDir::new().unwrap();
        let app = boot(store(&dir));
        let main = window(&app);

        assert_eq!(
            invoke(&main, "incoming_counts", json!({})),
            Ok(json!({ "unsigned": 2, "unregistered": 0, "registered": 0 }))
        );
        let page = invoke(
            &main,
            "incoming_list",
            json!({ "stage": "unsigned", "query": {}, "offset": 0, "limit": 50 }),
        )
        .expect("list");
        assert_eq!(ids(&page), ["in-2", "in-1"], "newest first");
        assert_eq!(page["total"], json!(2));
        let first = &page["rows"][1];
        assert_eq!(first["fromOrgan"], json!("鹤山市财政局"));
        assert_eq!(first["urgency"], json!("加急"));
        assert_eq!(first["docType"], json!("通知"));
        assert_eq!(first["status"], json!("unsigned"));
        assert_eq!(first["statusLabel"], json!("未签收"));

        // Filters: 紧急程度 (普通 = none), 来文单位, text, dates.
        let list = |query: Value| {
            ids(&invoke(
                &main,
                "incoming_list",
                json!({ "stage": "all", "query": query, "offset": 0, "limit": 50 }),
            )
            .expect("list"))
        };
        assert_eq!(list(json!({ "urgency": "加急" })), ["in-1"]);
        assert_eq!(list(json!({ "urgency": "普通" })), ["in-2"]);
        assert_eq!(list(json!({ "secrecy": "非密" })).len(), 2);
        assert!(list(json!({ "secrecy": "机密" })).is_empty());
        assert_eq!(
            list(json!({ "fromOrgan": "财政局", "text": "冬季" })),
            ["in-2"]
        );
        assert_eq!(list(json!({ "dateFrom": "2026-11-27" })), ["in-2"]);
        let bad = invoke(
            &main,
            "incoming_list",
            json!({ "stage": "all", "query": { "dateTo": "27/11/2026" }, "offset": 0, "limit": 50 }),
        )
        .expect_err("a bad date is refused");
        assert_eq!(bad["code"], json!("invalid_input"));
        assert!(
            bad["message"].as_str().unwrap().contains("YYYY-MM-DD"),
            "{bad}"
        );

        // 登记 before 签收 is refused, and says what to do.
        let early = invoke(
            &main,
            "register_incoming",
            json!({ "incomingId": "in-1", "request": {} }),
        )
        .expect_err("not signed yet");
        assert_eq!(early["code"], json!("refused"));
        assert!(
            early["message"].as_str().unwrap().contains("请先签收"),
            "{early}"
        );

        // 签收: shown at once as pending, queued for the server.
        let signed = invoke(&main, "sign_incoming", json!({ "incomingId": "in-1" })).expect("sign");
        assert_eq!(signed["statusLabel"], json!("已签收（待同步）"));
        assert!(signed["seq"].as_i64().is_some_and(|s| s > 0), "{signed}");
        let again = invoke(&main, "sign_incoming", json!({ "incomingId": "in-1" }))
            .expect_err("signed once only");
        assert_eq!(again["code"], json!("refused"));
        assert_eq!(
            invoke(&main, "incoming_counts", json!({})),
            Ok(json!({ "unsigned": 1, "unregistered": 1, "registered": 0 }))
        );
        let pending = invoke(&main, "sync_status", json!({})).expect("status");
        assert_eq!(pending["pending"], json!(1), "{pending}");
        let detail =
            invoke(&main, "incoming_detail", json!({ "incomingId": "in-1" })).expect("detail");
        assert_eq!(detail["row"]["status"], json!("sign_pending"));
        assert_eq!(
            detail["document"]["title"],
            json!("关于做好部门预算编制工作的通知")
        );
        assert_eq!(detail["sentBy"], json!("陈文书"));
        assert_eq!(detail["registration"], Value::Null);

        // 登记: the proposed number, the organ's 收文 routes, the flow starts and 初审 is mine.
        let number = invoke(
            &main,
            "suggest_receipt_number",
            json!({ "incomingId": "in-1" }),
        )
        .expect("suggestion");
        assert!(
            number.as_str().unwrap().starts_with("鹤山镇收〔"),
            "{number}"
        );
        let routes = invoke(&main, "incoming_routes", json!({})).expect("routes");
        let names: Vec<&str> = routes
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["收文（一般）", "请示件收文"]);
        let zero = invoke(
            &main,
            "register_incoming",
            json!({ "incomingId": "in-1", "request": { "copies": 0 } }),
        )
        .expect_err("0 copies");
        assert_eq!(zero["code"], json!("invalid_input"));
        let done = invoke(
            &main,
            "register_incoming",
            json!({ "incomingId": "in-1", "request": { "receiptNumber": number, "copies": 2, "route": "收文（一般）" } }),
        )
        .expect("registered");
        assert_eq!(done["receiptNumber"], number);
        assert_eq!(done["route"], json!("收文（一般）"));
        assert!(done["nowAt"].as_str().unwrap().contains("初审"), "{done}");
        let task = done["taskId"]
            .as_str()
            .expect("初审 is 孙八's task")
            .to_owned();
        let view = invoke(&main, "task_view", json!({ "taskId": task })).expect("task view");
        assert_eq!(view["stepName"], json!("初审"));
        assert_eq!(view["flow"]["kind"], json!("收文"));

        assert_eq!(
            invoke(&main, "incoming_counts", json!({})),
            Ok(json!({ "unsigned": 1, "unregistered": 0, "registered": 1 }))
        );
        let registered = invoke(
            &main,
            "incoming_list",
            json!({ "stage": "registered", "offset": 0, "limit": 50 }),
        )
        .expect("registered list");
        assert_eq!(ids(&registered), ["in-1"]);
        assert_eq!(registered["rows"][0]["receiptNumber"], number);
        let detail =
            invoke(&main, "incoming_detail", json!({ "incomingId": "in-1" })).expect("detail");
        assert_eq!(detail["registration"]["copies"], json!(2));
        assert_eq!(detail["taskId"], json!(task));
        let taken = invoke(
            &main,
            "register_incoming",
            json!({ "incomingId": "in-1", "request": {} }),
        )
        .expect_err("registered once only");
        assert_eq!(taken["code"], json!("refused"));

        let missing = invoke(&main, "incoming_detail", json!({ "incomingId": "nope" }))
            .expect_err("unknown item");
        assert_eq!(missing["code"], json!("not_found"));
    }

    #[test]
    fn the_chain_reaches_pi_ban_and_its_assignment_becomes_cheng_ban() {
        let dir = TempDir::new().unwrap();
        let client = store(&dir);
        // 孙八 also leads here, so he handles 初审, 拟办 and 批办 himself.
        client
            .add_person(&Person {
                id: "孙八".into(),
                name: "孙八".into(),
                organ: "鹤山镇".into(),
                dept: "党政办".into(),
                roles: vec!["文书".into(), "办公室主任".into(), "分管领导".into()],
            })
            .expect("roles");
        for (id, dept) in [("王五", "财政所"), ("李四", "农业办")] {
            client
                .add_person(&Person {
                    id: id.into(),
                    name: id.into(),
                    organ: "鹤山镇".into(),
                    dept: dept.into(),
                    roles: vec!["部门负责人".into()],
                })
                .expect("person");
        }
        let app = boot(client);
        let main = window(&app);
        invoke(&main, "sign_incoming", json!({ "incomingId": "in-1" })).expect("sign");
        let done = invoke(
            &main,
            "register_incoming",
            json!({ "incomingId": "in-1", "request": {} }),
        )
        .expect("registered");
        let mut task = done["taskId"].as_str().expect("初审").to_owned();
        for step in ["初审", "拟办"] {
            let view = invoke(&main, "task_view", json!({ "taskId": task })).expect("view");
            assert_eq!(view["stepName"], json!(step));
            let acted = invoke(
                &main,
                "act",
                json!({ "request": { "taskId": task, "action": "approve", "opinion": "拟请财政所办理。", "contentHash": view["contentHash"] } }),
            )
            .expect("approve");
            assert!(acted["nowAt"].as_str().unwrap().contains("孙八"), "{acted}");
            let next =
                invoke(&main, "incoming_detail", json!({ "incomingId": "in-1" })).expect("detail");
            task = next["taskId"]
                .as_str()
                .expect("the next step is mine")
                .to_owned();
        }
        let view = invoke(&main, "task_view", json!({ "taskId": task })).expect("批办 view");
        assert_eq!(view["stepName"], json!("批办"));
        assert_eq!(
            view["nextChoice"],
            json!({ "kind": "assignment", "step": 5, "required": true })
        );
        let hash = view["contentHash"].clone();

        // Without 主办 the workflow refuses; a past 办理时限 too; both say why.
        let plain = invoke(
            &main,
            "act",
            json!({ "request": { "taskId": task, "action": "approve", "contentHash": hash } }),
        )
        .expect_err("批办 needs an assignment");
        assert_eq!(plain["code"], json!("refused"));
        let past = invoke(
            &main,
            "instruct_task",
            json!({ "request": { "taskId": task, "lead": { "dept": "财政所", "handler": "王五" }, "due": "2020-01-01", "contentHash": hash } }),
        )
        .expect_err("a past 办理时限");
        assert_eq!(past["code"], json!("invalid_input"));
        assert!(
            past["message"].as_str().unwrap().contains("办理时限"),
            "{past}"
        );
        let stranger = invoke(
            &main,
            "instruct_task",
            json!({ "request": { "taskId": task, "lead": { "dept": "财政所", "handler": "nobody" }, "contentHash": hash } }),
        )
        .expect_err("an unknown handler");
        assert_eq!(stranger["code"], json!("invalid_input"));

        let due = (time::OffsetDateTime::now_utc() + time::Duration::days(10)).date();
        let instructed = invoke(
            &main,
            "instruct_task",
            json!({ "request": {
                "taskId": task,
                "opinion": "请财政所牵头，农业办协助。",
                "lead": { "dept": "财政所", "handler": "王五" },
                "assist": [{ "dept": "农业办", "handler": "李四" }],
                "due": due.to_string(),
                "contentHash": hash
            } }),
        )
        .expect("批办");
        assert_eq!(instructed["action"], json!("批办"));
        let now_at = instructed["nowAt"].as_str().unwrap();
        assert!(
            now_at.contains("承办") && now_at.contains("王五") && now_at.contains("李四"),
            "{now_at}"
        );
    }

    #[test]
    fn receipts_list_every_recipient_of_a_sent_document_signed_or_not() {
        let dir = TempDir::new().unwrap();
        let client = store(&dir);
        let doc = Document::from_json(
            &json!({
                "doc_type": "通知",
                "issuers": [{ "name": ORGAN, "mark": "鹤山镇人民政府文件" }],
                "title": "关于做好秋冬季防火工作的通知",
                "main_recipients": ["各村民委员会", "镇直各单位"],
                "cc": ["鹤山市应急管理局"],
                "body": "现将有关事项通知如下。"
            })
            .to_string(),
        )
        .expect("document");
        let draft = client.create_draft(doc).expect("draft").draft_id;
        client
            .store_receipt(&Receipt {
                id: "r-1".into(),
                incoming_id: "x-1".into(),
                exchange_id: "x".into(),
                document_id: draft.clone(),
                title: "关于做好秋冬季防火工作的通知".into(),
                doc_number: Some("鹤山府〔2026〕9号".into()),
                recipient: organ("镇直", "镇直各单位"),
                signed_by: person("li", "李秘书"),
                signed_at: "2026-11-27T10:05:00+08:00".into(),
            })
            .expect("receipt");
        let app = boot(client);
        let main = window(&app);

        let sent = invoke(&main, "receipt_overview", json!({})).expect("receipts");
        assert_eq!(sent.as_array().unwrap().len(), 1, "{sent}");
        let doc = &sent[0];
        assert_eq!(doc["documentId"], json!(draft));
        assert_eq!(
            (doc["signed"].clone(), doc["total"].clone()),
            (json!(1), json!(3))
        );
        assert_eq!(
            doc["recipients"],
            json!([
                { "organ": "各村民委员会", "signed": false, "signedBy": null, "signedAt": null },
                { "organ": "镇直各单位", "signed": true, "signedBy": "李秘书", "signedAt": "2026-11-27T10:05:00+08:00" },
                { "organ": "鹤山市应急管理局", "signed": false, "signedBy": null, "signedAt": null },
            ])
        );
    }
}
