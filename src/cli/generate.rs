//! `generate`: the man page and shell completions, written from the same
//! clap definition as the parser, so they cannot drift from it.

use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    #[command(subcommand)]
    pub what: Generated,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Generated {
    /// The man page (roff), every subcommand and flag in one page: vpce-probe generate man > vpce-probe.1
    Man,
    /// A completion script for SHELL: vpce-probe generate completions bash > /etc/bash_completion.d/vpce-probe
    Completions {
        /// The shell.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
}

/// The clap definition of the command line, for the man page and the
/// completion scripts.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    super::Cli::command()
}
