//! The working-day calendar (lịch làm việc) deadlines are counted on: the
//! statutory holidays plus the days an administrator declares, which are
//! kept in the store and cached here (reloaded after every change made
//! through this service).

use std::sync::Arc;

use egov_domain::calendar::{CalendarOverride, WorkingCalendar, TIME_ZONE};
use egov_domain::identity::{authorize, Action, Actor};
use egov_domain::ProcessingTime;
use jiff::civil::Date;
use jiff::Timestamp;

use super::{CalendarYear, Dossiers};
use crate::AppError;

impl Dossiers {
    /// A year's days off (statutory and declared) and its declarations.
    pub async fn calendar_year(&self, year: i16) -> Result<CalendarYear, AppError> {
        let calendar = self.working_calendar().await?;
        Ok(CalendarYear {
            year,
            holidays: calendar.holidays_in(year),
            declared: calendar
                .overrides()
                .filter(|o| o.date.year() == year)
                .cloned()
                .collect(),
        })
    }

    /// Declares a day off or a make-up working day (replacing any
    /// declaration of that date).
    pub async fn declare_day(&self, actor: &Actor, day: CalendarOverride) -> Result<(), AppError> {
        authorize(actor, &Action::ManageServices)?;
        let day = CalendarOverride::new(day.date, day.kind, day.reason)?;
        self.store.put_calendar_override(&day).await?;
        self.reload_calendar().await?;
        Ok(())
    }

    /// Removes the declaration of a date; false when there was none.
    pub async fn remove_declared_day(&self, actor: &Actor, date: Date) -> Result<bool, AppError> {
        authorize(actor, &Action::ManageServices)?;
        let removed = self.store.delete_calendar_override(date).await?;
        self.reload_calendar().await?;
        Ok(removed)
    }

    /// The calendar, from the cache or the store.
    pub(super) async fn working_calendar(&self) -> Result<Arc<WorkingCalendar>, AppError> {
        if let Some(calendar) = self.calendar.read().await.as_ref() {
            return Ok(Arc::clone(calendar));
        }
        self.reload_calendar().await
    }

    async fn reload_calendar(&self) -> Result<Arc<WorkingCalendar>, AppError> {
        let mut cached = self.calendar.write().await;
        let calendar = Arc::new(WorkingCalendar::new(self.store.calendar_overrides().await?));
        *cached = Some(Arc::clone(&calendar));
        Ok(calendar)
    }

    /// The appointment for a dossier received at `received` with the
    /// service's legal deadline.
    pub(super) async fn due_at(
        &self,
        received: Timestamp,
        deadline: ProcessingTime,
    ) -> Result<Timestamp, AppError> {
        let calendar = self.working_calendar().await?;
        let due = calendar.due_date(
            received.to_zoned(TIME_ZONE.clone()),
            deadline.amount,
            deadline.unit,
        );
        Ok(due.timestamp())
    }

    /// The end of office hours (17:00) on `date`, in Vietnam.
    pub(super) fn close_of(date: Date) -> Result<Timestamp, AppError> {
        let local = date.at(17, 0, 0, 0);
        TIME_ZONE
            .to_timestamp(local)
            .map_err(|e| AppError::Invalid(egov_domain::InvalidField::new("date", e.to_string())))
    }
}
