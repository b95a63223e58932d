//! Printing: a document laid out by gongwen-print (GB/T 9704) as PDF bytes.

use gongwen_domain::Document;
use tauri::ipc::Response;

use crate::error::CommandError;

/// The document as it will print, as PDF bytes (an `ArrayBuffer` in the UI), for the
/// preview and for 导出PDF.
#[tauri::command]
pub async fn print_pdf(document: Document) -> Result<Response, CommandError> {
    Ok(Response::new(gongwen_print::print_document(&document)?.pdf))
}
