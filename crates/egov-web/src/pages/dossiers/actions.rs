//! The action forms of a dossier's page: which inputs each action takes,
//! the order they are offered in, reading a posted form into a
//! [`Command`], and turning a refused command into errors on the form.

use axum::http::StatusCode;
use egov_app::dossiers::Command;
use egov_app::AppError;
use egov_domain::dossier::Transition;
use egov_domain::identity::AccountId;
use jiff::civil::Date;

use crate::auth::FormData;
use crate::i18n::Messages;
use crate::pages::forms::{aria_invalid, FormErrors, INVALID};
use crate::pages::Choice;

/// One input of an action form.
pub struct ActionInput {
    pub id: String,
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    /// `textarea`, `text`, `date`, `select` or `rating`.
    pub widget: &'static str,
    pub required: bool,
    pub value: String,
    pub options: Vec<Choice>,
    pub error: Option<String>,
}

impl ActionInput {
    /// `aria-describedby` of the control.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }

    /// The control an error points at (the first radio of a rating).
    pub fn target(&self) -> String {
        match self.widget {
            "rating" => format!("{}-1", self.id),
            _ => self.id.clone(),
        }
    }

    pub fn invalid(&self) -> &'static str {
        aria_invalid(self.error.is_some())
    }
}

/// A form for one allowed action.
pub struct ActionForm {
    pub action: &'static str,
    pub id: String,
    pub heading: String,
    pub intro: String,
    pub button: String,
    pub inputs: Vec<ActionInput>,
    pub error: Option<String>,
}

/// What a failed action typed, to show again with its errors.
#[derive(Default)]
pub struct Typed {
    pub action: String,
    pub values: Vec<(String, String)>,
}

impl Typed {
    pub fn value(&self, action: &str, name: &str) -> String {
        if self.action != action {
            return String::new();
        }
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn input(
    t: Messages,
    action: &str,
    name: &'static str,
    widget: &'static str,
    required: bool,
) -> ActionInput {
    let id = format!("{action}-{name}");
    ActionInput {
        label: t
            .get(match name {
                "reason" => "act.input.reason",
                "note" => "act.input.note",
                "text" => "act.input.text",
                "specialist" => "act.input.specialist",
                "agency" => "act.input.agency",
                "new_due" => "act.input.new_due",
                "rating" => "act.input.rating",
                _ => "act.input.comment",
            })
            .to_owned(),
        hint: match name {
            "agency" => t.get("act.input.agency.hint").to_owned(),
            "new_due" => t.get("apply.hint.date").to_owned(),
            _ => String::new(),
        },
        id,
        name,
        widget,
        required,
        value: String::new(),
        options: Vec::new(),
        error: None,
    }
}

/// The inputs of an action's form; `None` for actions that have a form of
/// their own (supplement, withdraw) or none on the pages.
pub fn inputs_of(t: Messages, action: Transition) -> Option<Vec<ActionInput>> {
    let a = action.as_str();
    let textarea = |name, required| input(t, a, name, "textarea", required);
    Some(match action {
        Transition::Accept | Transition::ReturnResult => Vec::new(),
        Transition::RefuseIntake | Transition::RequestSupplement | Transition::Stop => {
            vec![textarea("reason", true)]
        }
        Transition::Assign => vec![input(t, a, "specialist", "select", true)],
        Transition::Transfer => vec![input(t, a, "agency", "text", true), textarea("note", false)],
        Transition::Propose | Transition::Approve => vec![textarea("note", false)],
        Transition::SendBack => vec![textarea("note", true)],
        Transition::Apologise => vec![
            textarea("reason", true),
            input(t, a, "new_due", "date", true),
        ],
        Transition::Message => vec![textarea("text", true)],
        Transition::Rate => vec![
            input(t, a, "rating", "rating", true),
            textarea("comment", false),
        ],
        Transition::Supplement
        | Transition::Withdraw
        | Transition::RequestPayment
        | Transition::ConfirmPayment => return None,
    })
}

/// The order actions are offered in: the main decision first, messages last.
const ORDER: [Transition; 13] = [
    Transition::Accept,
    Transition::Assign,
    Transition::Propose,
    Transition::Approve,
    Transition::ReturnResult,
    Transition::RequestSupplement,
    Transition::SendBack,
    Transition::Transfer,
    Transition::Apologise,
    Transition::RefuseIntake,
    Transition::Stop,
    Transition::Rate,
    Transition::Message,
];

pub fn action_forms(
    t: Messages,
    allowed: &[Transition],
    specialists: &[(AccountId, String)],
    typed: &Typed,
    errors: &FormErrors,
) -> Vec<ActionForm> {
    let mut forms = Vec::new();
    for action in ORDER.into_iter().filter(|a| allowed.contains(a)) {
        let Some(mut inputs) = inputs_of(t, action) else {
            continue;
        };
        let a = action.as_str();
        for i in &mut inputs {
            i.value = typed.value(a, i.name);
            i.error = errors.of(&i.target()).map(str::to_owned);
            if i.widget == "select" {
                i.options = specialists
                    .iter()
                    .map(|(id, name)| Choice {
                        value: id.0.clone(),
                        label: name.clone(),
                        selected: i.value == id.0,
                    })
                    .collect();
            }
            if i.widget == "rating" {
                i.options = (1..=5)
                    .map(|n: u8| Choice {
                        value: n.to_string(),
                        label: t.label("rating", &n.to_string()),
                        selected: i.value == n.to_string(),
                    })
                    .collect();
            }
        }
        let id = format!("act-{a}");
        forms.push(ActionForm {
            action: a,
            heading: t.label("act.heading", a),
            intro: t.label("act.intro", a),
            button: t.label("act.button", a),
            error: errors.of(&id).map(str::to_owned),
            id,
            inputs,
        });
    }
    forms
}

/// The command a form asks for, or the errors of its inputs (keyed by id).
pub fn command(t: Messages, action: Transition, form: &FormData) -> Result<Command, FormErrors> {
    let a = action.as_str();
    let mut errors = FormErrors::none();
    if let Some(inputs) = inputs_of(t, action) {
        for i in inputs.iter().filter(|i| i.required) {
            if form.text(i.name).is_empty() {
                let message = t.fill("act.error.required", &[("field", &i.label)]);
                errors.push(&i.target(), message);
            }
        }
    }
    let text = |name: &str| form.text(name);
    let command = match action {
        Transition::Accept => Command::Accept,
        Transition::RefuseIntake => Command::RefuseIntake {
            reason: text("reason"),
        },
        Transition::Assign => Command::Assign {
            specialist: AccountId(text("specialist")),
        },
        Transition::Transfer => Command::Transfer {
            agency: text("agency"),
            note: text("note"),
        },
        Transition::Propose => Command::Propose { note: text("note") },
        Transition::SendBack => Command::SendBack { note: text("note") },
        Transition::RequestSupplement => Command::RequestSupplement {
            reason: text("reason"),
        },
        Transition::Approve => Command::Approve { note: text("note") },
        Transition::Stop => Command::Stop {
            reason: text("reason"),
        },
        Transition::Withdraw => Command::Withdraw {
            reason: text("reason"),
        },
        Transition::ReturnResult => Command::ReturnResult,
        Transition::Message => Command::Message { text: text("text") },
        Transition::Apologise => {
            let new_due = text("new_due");
            let date = match new_due.parse::<Date>() {
                Ok(date) => Some(date),
                Err(_) => {
                    if !new_due.is_empty() {
                        errors.push(&format!("{a}-new_due"), t.get("act.error.date").to_owned());
                    }
                    None
                }
            };
            match date {
                Some(new_due) => Command::Apologise {
                    reason: text("reason"),
                    new_due,
                },
                None => return Err(errors),
            }
        }
        Transition::Rate => {
            let rating = match text("rating").parse::<u8>() {
                Ok(n) if (1..=5).contains(&n) => n,
                _ => {
                    if errors.of(&format!("{a}-rating-1")).is_none() {
                        errors.push(
                            &format!("{a}-rating-1"),
                            t.get("act.error.rating").to_owned(),
                        );
                    }
                    return Err(errors);
                }
            };
            Command::Rate {
                rating,
                comment: text("comment"),
            }
        }
        Transition::Supplement | Transition::RequestPayment | Transition::ConfirmPayment => {
            errors.push(&format!("act-{a}"), t.get("act.error.unknown").to_owned());
            return Err(errors);
        }
    };
    if errors.is_empty() {
        Ok(command)
    } else {
        Err(errors)
    }
}

/// The page errors of a refused command: an input named by the use case, or
/// the action's form.
pub fn refusal(
    t: Messages,
    action: &str,
    e: AppError,
) -> Result<(StatusCode, FormErrors), AppError> {
    let section = format!("act-{action}");
    match e {
        AppError::Invalid(invalid) => {
            let known = Transition::parse(action)
                .and_then(|a| inputs_of(t, a))
                .and_then(|inputs| {
                    inputs
                        .into_iter()
                        .find(|i| i.name == invalid.field)
                        .map(|i| (i.target(), i.label))
                });
            let (target, message) = match known {
                Some((target, label)) => (
                    target,
                    t.fill(
                        "form.invalid",
                        &[("field", &label), ("reason", &invalid.reason)],
                    ),
                ),
                None => (
                    section,
                    t.fill("form.invalid.other", &[("reason", &invalid.reason)]),
                ),
            };
            Ok((INVALID, FormErrors::one(&target, message)))
        }
        AppError::Transition(_) => Ok((
            StatusCode::CONFLICT,
            FormErrors::one(&section, t.get("act.error.transition")),
        )),
        AppError::Conflict(_) => Ok((
            StatusCode::CONFLICT,
            FormErrors::one(&section, t.get("act.error.conflict")),
        )),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn only_allowed_actions_get_a_form_in_a_fixed_order() {
        let t = Lang::Vi.messages();
        let allowed = [
            Transition::Message,
            Transition::Accept,
            Transition::RefuseIntake,
            Transition::Withdraw,
        ];
        let forms = action_forms(t, &allowed, &[], &Typed::default(), &FormErrors::none());
        let names: Vec<&str> = forms.iter().map(|f| f.action).collect();
        assert_eq!(names, vec!["accept", "refuse-intake", "message"]);
        assert_eq!(forms[1].inputs[0].id, "refuse-intake-reason");
        assert!(forms[1].inputs[0].required);
    }

    #[test]
    fn forms_become_commands_or_errors_on_their_inputs() {
        let t = Lang::Vi.messages();
        let form = FormData::parse(b"action=refuse-intake&reason=++");
        let errors = command(t, Transition::RefuseIntake, &form).unwrap_err();
        assert!(errors.of("refuse-intake-reason").is_some());
        let form = FormData::parse(b"reason=Thi%E1%BA%BFu+gi%E1%BA%A5y+t%E1%BB%9D");
        assert_eq!(
            command(t, Transition::RefuseIntake, &form).unwrap(),
            Command::RefuseIntake {
                reason: "Thiếu giấy tờ".into()
            }
        );
        let form = FormData::parse(b"reason=late&new_due=31%2F02%2F2026");
        let errors = command(t, Transition::Apologise, &form).unwrap_err();
        assert!(errors.of("apologise-new_due").is_some());
        let form = FormData::parse(b"rating=9");
        let errors = command(t, Transition::Rate, &form).unwrap_err();
        assert!(errors.of("rate-rating-1").is_some());
        let form = FormData::parse(b"rating=5&comment=t%E1%BB%91t");
        assert_eq!(
            command(t, Transition::Rate, &form).unwrap(),
            Command::Rate {
                rating: 5,
                comment: "tốt".into()
            }
        );
    }

    #[test]
    fn refused_commands_point_at_the_input_or_the_form() {
        let t = Lang::Vi.messages();
        let e = AppError::Invalid(egov_domain::InvalidField::new("reason", "empty"));
        let (status, errors) = refusal(t, "stop", e).unwrap();
        assert_eq!(status, INVALID);
        assert!(errors.of("stop-reason").is_some());
        let e = AppError::Conflict("changed".into());
        let (status, errors) = refusal(t, "accept", e).unwrap();
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(errors.of("act-accept").is_some());
        assert!(refusal(t, "accept", AppError::Storage("x".into())).is_err());
    }
}
