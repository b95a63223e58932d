//! The SM3 audit chain: verifies when intact, names the first broken link otherwise.

use gongwen_domain::audit::{self, AuditRecord, BrokenReason, Entry, GENESIS};
use sm3::{Digest, Sm3};
use time::Duration;

use super::common::t0;

fn entry(n: usize) -> Entry {
    Entry {
        id: format!("0190f3c2-{n:04}"),
        time: t0() + Duration::minutes(n as i64),
        actor: format!("u{}", n % 3),
        on_behalf_of: n.is_multiple_of(2).then(|| "principal".to_owned()),
        action: "workflow.approved".into(),
        subject: "F1".into(),
        detail_json: format!(r#"{{"opinion":"同意{n}"}}"#),
    }
}

fn chain(n: usize) -> Vec<AuditRecord> {
    let mut out: Vec<AuditRecord> = Vec::new();
    for i in 0..n {
        let rec = audit::append(out.last(), entry(i));
        out.push(rec);
    }
    out
}

#[test]
fn sm3_is_the_standard_one() {
    // GB/T 32905-2016, example 1.
    assert_eq!(
        hex::encode(Sm3::digest(b"abc")),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
}

#[test]
fn an_intact_chain_verifies() {
    let c = chain(5);
    assert_eq!(c[0].seq, 1);
    assert_eq!(c[0].prev_hash, GENESIS);
    assert!(
        c.windows(2)
            .all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1)
    );
    assert!(c.iter().all(|r| r.hash.len() == 64));
    assert_eq!(audit::verify(&c), Ok(()));
    assert_eq!(audit::verify(&[]), Ok(()));
    // A later page verifies against the last record of the previous one.
    assert_eq!(audit::verify_after(Some(&c[1]), &c[2..]), Ok(()));
    assert!(audit::verify_after(Some(&c[0]), &c[2..]).is_err());
}

#[test]
fn any_altered_field_breaks_its_own_link() {
    type Alter = fn(&mut AuditRecord);
    let alterations: [(&str, Alter); 10] = [
        ("seq", |r| r.seq += 10),
        ("id", |r| r.id.push('x')),
        ("time", |r| r.time += Duration::seconds(1)),
        ("offset", |r| {
            r.time = r.time.to_offset(time::UtcOffset::UTC)
        }),
        ("actor", |r| r.actor = "mallory".into()),
        ("on_behalf_of", |r| {
            r.on_behalf_of = r.on_behalf_of.take().xor(Some("x".into()))
        }),
        ("action", |r| r.action = "workflow.returned".into()),
        ("subject", |r| r.subject = "F2".into()),
        ("detail", |r| {
            r.detail_json = r.detail_json.replace("同意", "不同意")
        }),
        ("prev_hash", |r| r.prev_hash = GENESIS.replace('0', "1")),
    ];
    for (name, alter) in alterations {
        for i in 0..4 {
            let mut c = chain(4);
            alter(&mut c[i]);
            let broken = audit::verify(&c).expect_err(name);
            assert_eq!(
                (broken.index, broken.reason.clone()),
                (i, BrokenReason::Hash),
                "{name} at {i}"
            );
            assert_eq!(broken.seq, c[i].seq);
        }
    }
}

#[test]
fn rehashing_an_altered_record_breaks_the_next_link() {
    let mut c = chain(4);
    c[1].actor = "mallory".into();
    c[1].hash = c[1].compute_hash();
    let broken = audit::verify(&c).unwrap_err();
    assert_eq!(
        (broken.index, broken.seq, broken.reason.code()),
        (2, 3, "PREV_HASH")
    );
    assert_eq!(
        broken.to_string(),
        "审计链在第 3 条记录（位置 2）处断开：前序哈希与上一条记录不符（记录被删除、调换或替换）"
    );
}

#[test]
fn removed_or_reordered_records_are_found() {
    let mut c = chain(5);
    c.remove(2);
    let broken = audit::verify(&c).unwrap_err();
    assert_eq!(
        (broken.index, broken.reason),
        (
            2,
            BrokenReason::Sequence {
                expected: 3,
                found: 4
            }
        )
    );

    let mut c = chain(5);
    c.swap(1, 3);
    assert_eq!(audit::verify(&c).unwrap_err().index, 1);

    let mut c = chain(3);
    c.remove(0);
    assert_eq!(audit::verify(&c).unwrap_err().index, 0);
}

#[test]
fn records_survive_json_and_database_precision() {
    let mut e = entry(1);
    e.time += Duration::nanoseconds(123_456_789);
    let rec = audit::append(None, e);
    assert_eq!(rec.time.nanosecond() % 1_000, 0, "kept to the microsecond");
    let json = serde_json::to_string(&rec).unwrap();
    let back: AuditRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(audit::verify(&[back]), Ok(()));
}

#[test]
fn moving_bytes_between_fields_changes_the_hash() {
    let mut a = entry(1);
    a.actor = "ab".into();
    a.action = "c".into();
    let mut b = entry(1);
    b.actor = "a".into();
    b.action = "bc".into();
    assert_ne!(audit::append(None, a).hash, audit::append(None, b).hash);

    let mut none = entry(1);
    none.on_behalf_of = None;
    let mut empty = entry(1);
    empty.on_behalf_of = Some(String::new());
    assert_ne!(
        audit::append(None, none).hash,
        audit::append(None, empty).hash
    );
}

proptest::proptest! {
    #[test]
    fn chains_of_arbitrary_text_verify_and_any_change_is_found(
        texts in proptest::collection::vec(("\\PC*", "\\PC*", proptest::option::of("\\PC*")), 1..12),
        at in proptest::prelude::any::<proptest::sample::Index>(),
    ) {
        let mut c: Vec<AuditRecord> = Vec::new();
        for (i, (actor, detail, behalf)) in texts.into_iter().enumerate() {
            let mut e = entry(i);
            e.actor = actor;
            e.detail_json = detail;
            e.on_behalf_of = behalf;
            let rec = audit::append(c.last(), e);
            c.push(rec);
        }
        proptest::prop_assert_eq!(audit::verify(&c), Ok(()));
        let i = at.index(c.len());
        c[i].subject.push('!');
        proptest::prop_assert_eq!(audit::verify(&c).unwrap_err().index, i);
    }
}
