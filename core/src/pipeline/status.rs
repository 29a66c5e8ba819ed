//! The deployment status state machine a platform drives around [`run_pipeline`](super::run_pipeline).

use serde::{Deserialize, Serialize};

use crate::{Code, Error, ErrorKind, Finding, Result};

/// Where a deployment is in the platform's flow:
///
/// ```text
/// queued -> validating -> planning -> approved -> applying -> completed
///              |             |                       |-----> failed
///              v             v                       '-----> rolled_back
///            failed        failed
/// ```
///
/// `completed`, `failed` and `rolled_back` are final. A deployment that the pipeline
/// [blocks](super::DecisionStatus::Blocked) goes from `planning` to `failed`; one that
/// [needs approval](super::DecisionStatus::NeedsApproval) waits in `planning` until someone
/// approves it.
///
/// ```
/// use iac_dharma::DeploymentStatus::*;
///
/// let status = Queued.transition(Validating)?.transition(Planning)?.transition(Approved)?;
/// assert_eq!(status, Approved);
/// let err = status.transition(Completed).unwrap_err(); // must be applied first
/// assert_eq!(err.findings()[0].code.as_str(), "illegal_transition");
/// # Ok::<(), iac_dharma::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentStatus {
    /// Accepted, waiting for a worker.
    Queued,
    /// Policies and budget are being checked.
    Validating,
    /// The change plan is being computed (and, when it needs approval, waits for it).
    Planning,
    /// Cleared to apply, by a person or because nothing needed approval.
    Approved,
    /// The change is being applied.
    Applying,
    /// Applied successfully (final).
    Completed,
    /// Stopped: blocked by policy or budget, or the apply failed (final).
    Failed,
    /// The apply failed and the rollback plan restored the previous version (final).
    RolledBack,
}

impl DeploymentStatus {
    /// Every status, in flow order.
    pub const ALL: [DeploymentStatus; 8] = [
        Self::Queued,
        Self::Validating,
        Self::Planning,
        Self::Approved,
        Self::Applying,
        Self::Completed,
        Self::Failed,
        Self::RolledBack,
    ];

    /// The statuses this one may move to (empty for a final status).
    pub fn next_statuses(self) -> &'static [DeploymentStatus] {
        use DeploymentStatus::*;
        match self {
            Queued => &[Validating],
            Validating => &[Planning, Failed],
            Planning => &[Approved, Failed],
            Approved => &[Applying],
            Applying => &[Completed, Failed, RolledBack],
            Completed | Failed | RolledBack => &[],
        }
    }

    /// True for `completed`, `failed` and `rolled_back`.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }

    /// True when the flow allows moving from `self` to `next`.
    pub fn can_transition_to(self, next: DeploymentStatus) -> bool {
        self.next_statuses().contains(&next)
    }

    /// Moves to `next`, or refuses with an `illegal_transition` error naming both statuses and
    /// the allowed ones.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`] with code `illegal_transition` when the flow does not allow
    /// the move.
    pub fn transition(self, next: DeploymentStatus) -> Result<DeploymentStatus> {
        if self.can_transition_to(next) {
            return Ok(next);
        }
        let allowed: Vec<&str> = self.next_statuses().iter().map(|s| s.as_str()).collect();
        let message = if allowed.is_empty() {
            format!(
                "a deployment cannot go from `{}` to `{}`: `{}` is final",
                self.as_str(),
                next.as_str(),
                self.as_str()
            )
        } else {
            format!(
                "a deployment cannot go from `{}` to `{}` (from `{}` it can go to: {})",
                self.as_str(),
                next.as_str(),
                self.as_str(),
                allowed.join(", ")
            )
        };
        Err(Error::new(
            ErrorKind::InvalidInput,
            vec![Finding::error(Code::IllegalTransition, "status", message)],
        ))
    }

    /// The snake_case name (`rolled_back`), as serialized.
    pub fn as_str(self) -> &'static str {
        use DeploymentStatus::*;
        match self {
            Queued => "queued",
            Validating => "validating",
            Planning => "planning",
            Approved => "approved",
            Applying => "applying",
            Completed => "completed",
            Failed => "failed",
            RolledBack => "rolled_back",
        }
    }
}

impl std::fmt::Display for DeploymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeploymentStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|d| d.as_str()).collect();
                Error::new(
                    ErrorKind::InvalidInput,
                    vec![Finding::error(
                        Code::IllegalTransition,
                        "status",
                        format!(
                            "unknown deployment status `{s}` (one of: {})",
                            names.join(", ")
                        ),
                    )],
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::DeploymentStatus::{self, *};

    #[test]
    fn happy_path_and_rollback() {
        let mut s = Queued;
        for next in [Validating, Planning, Approved, Applying, RolledBack] {
            s = s.transition(next).unwrap();
        }
        assert!(s.is_final());
    }

    #[test]
    fn every_illegal_move_is_refused_with_its_statuses_named() {
        let mut legal = 0;
        for from in DeploymentStatus::ALL {
            for to in DeploymentStatus::ALL {
                match from.transition(to) {
                    Ok(s) => {
                        legal += 1;
                        assert_eq!(s, to);
                    }
                    Err(e) => {
                        let f = &e.findings()[0];
                        assert_eq!(f.code.as_str(), "illegal_transition");
                        assert!(f.message.contains(from.as_str()), "{}", f.message);
                        assert!(f.message.contains(to.as_str()), "{}", f.message);
                    }
                }
            }
        }
        // queued 1, validating 2, planning 2, approved 1, applying 3.
        assert_eq!(legal, 9);
        assert!(Approved.transition(Completed).is_err());
        assert!(Completed.transition(Applying).is_err());
        assert!(Queued.transition(Queued).is_err());
    }

    #[test]
    fn names_round_trip() {
        for s in DeploymentStatus::ALL {
            assert_eq!(s.as_str().parse::<DeploymentStatus>().unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert!("done".parse::<DeploymentStatus>().is_err());
    }
}
