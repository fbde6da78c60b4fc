//! Identity: accounts of citizens, organisations and officials, their
//! identifiers, roles, and the permission policy.

mod account;
mod contact;
mod national_id;
pub mod policy;
mod role;

pub use account::{Account, AccountId, AccountKind, AccountStatus, Organisation, RoleAssignment};
pub use contact::{Email, Phone, TaxCode};
pub use national_id::{NationalId, Sex};
pub use policy::{authorize, Action, Actor, Denied};
pub use role::Role;
