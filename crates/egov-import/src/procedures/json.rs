//! A JSON array of [`Procedure`] in its serde form (the demo set, the API).

use egov_domain::Procedure;

use crate::input::{from_record, json_array};
use crate::ImportError;

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Procedure>, ImportError> {
    json_array(bytes)?
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let p: Procedure = from_record(value, i)?;
            p.validate()
                .map_err(|e| ImportError::record(i, e.to_string()))?;
            Ok(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egov_domain::ProcedureCode;

    fn procedure() -> Procedure {
        let code = ProcedureCode::parse("1.001612").unwrap_or_else(|e| panic!("{e}"));
        Procedure::minimal(code, "Đăng ký khai sinh".into(), "Hộ tịch".into())
    }

    #[test]
    fn serde_form_round_trips() {
        let json = serde_json::to_vec(&[procedure()]).unwrap_or_default();
        assert_eq!(read(&json), Ok(vec![procedure()]));
    }

    #[test]
    fn errors_name_the_record() {
        let mut bad = procedure();
        bad.legacy_level = Some(9);
        let json = serde_json::to_vec(&[procedure(), bad]).unwrap_or_default();
        assert_eq!(
            read(&json).map_err(|e| e.to_string()),
            Err("record 2: legacy_level: must be 1, 2, 3 or 4".into())
        );
        let mut value = serde_json::to_value(procedure()).unwrap_or_default();
        value["code"] = "có dấu".into();
        let json = serde_json::to_vec(&[value]).unwrap_or_default();
        assert!(read(&json)
            .is_err_and(|e| e.location == "record 1" && e.reason.contains("not a procedure code")));
        assert_eq!(
            read(br#"{"code":"1"}"#).map_err(|e| e.location),
            Err("file".into())
        );
    }
}
