//! The one integration-test binary (every extra test binary would link DuckDB
//! again). Each module runs the real `featurearr` binary in a throwaway folder.

mod util;

mod auth0;
mod auth0_server;
mod bad_input;
mod doctor;
mod faults;
mod from_scratch;
mod hierarchy;
mod html;
mod idps;
mod inputs;
mod layering;
mod load;
mod load_verdicts;
mod options;
mod parquet;
mod postgres;
mod postgres_server;
mod quarterly;
mod real_files;
mod receiver;
mod refresh;
mod revenue_share;
mod salesforce;
mod salesforce_server;
mod scale;
mod store_safety;
