use crate::common::{doc, example, open};

#[test]
fn chinese_two_character_words_are_found_ranked_and_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let notice = client
        .create_draft(doc(&example("notice-full.json")))
        .unwrap();
    let request = client
        .create_draft(doc(&example("request-up.json")))
        .unwrap();
    let mut other = doc(&example("request-up.json"));
    other.title = "关于召开全镇安全工作会议的函".into();
    other.body = "定于下周召开会议。".into();
    other.doc_number = None;
    other.attachments.clear();
    let letter = client.create_draft(other).unwrap();

    let hits = client.search("通知", 10).unwrap();
    assert_eq!(hits[0].draft_id, notice.draft_id);
    assert!(hits[0].title.iter().any(|s| s.hit && s.text == "通知"));

    // Title matches rank above body-only matches.
    let hits = client.search("安全", 10).unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.draft_id.as_str()).collect();
    assert!(ids.contains(&notice.draft_id.as_str()) && ids.contains(&letter.draft_id.as_str()));
    assert!(!ids.contains(&request.draft_id.as_str()));

    // 文号, 主送, attachment names are searchable.
    assert_eq!(
        client.search("共府〔2026〕3号", 10).unwrap()[0].draft_id,
        request.draft_id
    );
    assert_eq!(
        client.search("市政府各部门", 10).unwrap()[0].draft_id,
        notice.draft_id
    );
    assert_eq!(
        client.search("预算表", 10).unwrap()[0].draft_id,
        request.draft_id
    );

    // The snippet marks the match in the body.
    let hits = client.search("道路提升", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0]
            .snippet
            .iter()
            .any(|s| s.hit && s.text == "道路提升")
    );

    // Several words are AND-ed; a non-substring does not match.
    assert_eq!(client.search("安全 会议", 10).unwrap().len(), 1);
    assert!(client.search("会议通知检查", 10).unwrap().is_empty());
    assert_eq!(
        client.search("  ，。 ", 10).unwrap_err().code(),
        "empty_query"
    );
}

#[test]
fn search_follows_the_head_version_and_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let saved = client
        .create_draft(doc(r#"{"title": "关于防汛工作的通知"}"#))
        .unwrap();
    assert_eq!(client.search("防汛", 10).unwrap().len(), 1);
    client
        .save_draft(
            &saved.draft_id,
            doc(r#"{"title": "关于防台风工作的通知"}"#),
            None,
        )
        .unwrap();
    assert!(client.search("防汛", 10).unwrap().is_empty());
    assert_eq!(client.search("台风", 10).unwrap().len(), 1);
    client.delete_draft(&saved.draft_id).unwrap();
    assert!(client.search("台风", 10).unwrap().is_empty());
}

#[test]
fn reindexing_keeps_search_available_and_the_index_stage_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let client = open(dir.path());
    let notice = client
        .create_draft(doc(&example("notice-full.json")))
        .unwrap();
    client
        .create_draft(doc(&example("request-up.json")))
        .unwrap();
    let before = client.search("安全", 10).unwrap();
    assert!(!before.incomplete);

    assert_eq!(client.reindex_search().unwrap(), 2);
    assert_eq!(client.search_backlog().unwrap(), 2);
    // Meanwhile the drafts are scanned: the same drafts are found, and the whole
    // (small) backlog fits the scan's budget, so the answer is complete.
    let during = client.search("安全", 10).unwrap();
    assert!(!during.incomplete);
    let ids = |r: &gongwen_client::api::SearchResults| {
        let mut v: Vec<String> = r.iter().map(|h| h.draft_id.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&during), ids(&before));
    assert!(during.iter().all(|h| h.score == 0.0));

    assert_eq!(client.build_search_index().unwrap(), 2);
    assert_eq!(client.search_backlog().unwrap(), 0);
    assert_eq!(client.build_search_index().unwrap(), 0);
    let after = client.search("安全", 10).unwrap();
    assert_eq!(after, before);
    assert_eq!(after[0].draft_id, notice.draft_id);
}
