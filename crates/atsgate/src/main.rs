//! The `atsgate` binary: command-line parsing; each command lives in `cli/`.

mod cli;

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// jemalloc keeps freed large buffers (request bodies) for reuse, where the system allocator
/// returns them to the kernel and page-faults them in again on the next upload; its options are
/// set at build time in `.cargo/config.toml`.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(name = "atsgate", version, about = "Self-hosted unified ATS API gateway (Kombo-compatible)")]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
pub struct GlobalArgs {
    /// Config file (default: ./atsgate.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (SQLite database, master key).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://…
    #[arg(long, global = true, env = "ATSGATE_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the gateway.
    Serve(cli::serve::ServeArgs),
    /// Start an emulator of every supported ATS with seeded data, a key and one integration per
    /// ATS, sync, print ready-to-paste calls, and serve.
    Demo(cli::demo::DemoArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(cli::keys::KeysCommand),
    /// Manage integrations and their scope config.
    #[command(subcommand)]
    Integrations(cli::integrations::IntegrationsCommand),
    /// Sync candidates, applications and jobs from the ATS (blocks until done).
    Sync(cli::sync::SyncArgs),
    /// Read the interaction log.
    #[command(subcommand)]
    Logs(cli::logs::LogsCommand),
    /// Manage the master key that seals ATS credentials.
    #[command(subcommand)]
    Secrets(cli::secrets::SecretsCommand),
    /// Manage dashboard users (operators and workspace members).
    #[command(subcommand)]
    Users(cli::users::UsersCommand),
    /// Run a vendor API emulator until killed.
    Emulate(cli::emulate::EmulateArgs),
    /// The supported ATS and their capabilities.
    Tools(cli::tools::ToolsArgs),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the default configuration file, commented.
    Default,
}

impl GlobalArgs {
    pub fn overrides(&self, listen: Option<SocketAddr>, public_url: Option<String>) -> atsgate::config::Overrides {
        atsgate::config::Overrides {
            config_file: self.config.clone(),
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            listen,
            public_url,
        }
    }

    pub fn load(&self) -> anyhow::Result<atsgate::Config> {
        cli::load_config(&self.overrides(None, None))
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => cli::serve::run(&cli.global, args).await,
        Command::Demo(args) => cli::demo::run(&cli.global, args).await,
        Command::Keys(command) => cli::keys::run(&cli.global, command).await,
        Command::Integrations(command) => cli::integrations::run(&cli.global, command).await,
        Command::Sync(args) => cli::sync::run(&cli.global, args).await,
        Command::Logs(command) => cli::logs::run(&cli.global, command).await,
        Command::Secrets(command) => cli::secrets::run(&cli.global, command).await,
        Command::Users(command) => cli::users::run(&cli.global, command).await,
        Command::Emulate(args) => cli::emulate::run(args).await,
        Command::Tools(args) => cli::tools::run(args),
        Command::Config(ConfigCommand::Default) => {
            print!("{}", atsgate::Config::default_toml());
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
