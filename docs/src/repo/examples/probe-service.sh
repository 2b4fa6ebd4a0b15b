#!/usr/bin/env bash
# probe-service.sh: run vpce-probe once from the network position of an ECS
# service (its subnets, security groups and public-IP setting) and exit with
# the probe's verdict. The runbook: docs/src/deploying.md, "One command for
# a service".
#
#   examples/probe-service.sh --cluster prod --service web \
#     --image 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/vpce-probe:0.1.0
#
# It reads the service (aws ecs describe-services), registers the probe's task
# definition or reuses the family's latest revision when it is the same, runs
# the probe once with the service's network configuration (aws ecs run-task),
# waits for it to stop, prints the report from its awslogs stream on stdout
# and the verdict on stderr, and exits with the probe's own exit code. With
# --lambda it invokes the probe's Lambda function (examples/lambda/) instead.
# Every AWS CLI call is shown on stderr as it is made; --dry-run prints them
# all on stdout and makes only the read-only ones.
#
# Needs bash, the AWS CLI v2 (credentials and profile as usual: AWS_PROFILE,
# ...) and jq. The caller needs ecs:DescribeServices,
# ecs:DescribeTaskDefinition, ecs:RegisterTaskDefinition, ecs:RunTask,
# ecs:DescribeTasks, iam:PassRole on the execution role and
# logs:GetLogEvents; with --lambda, lambda:GetFunctionConfiguration and
# lambda:InvokeFunction.
#
# Exit codes: the probe's own when it ran (0 pass, 1 fail, 2 the probe's
# usage error, 3 the probe itself failed: docs/src/modes.md), and its own,
# above them:
#   4  usage: a bad or missing option, or aws or jq is not installed; no call made
#   5  the probe could not be run or read: an AWS CLI call failed or was
#      refused (the service, run-task, the wait, the log stream), named on stderr
#   6  the probe's task stopped before the probe ran (its image could not be
#      pulled, its log driver could not start): the stopped reason, on
#      stderr, is often the answer itself
set -euo pipefail

readonly PROG=${0##*/}
readonly EXIT_USAGE=4 EXIT_AWS=5 EXIT_NOT_STARTED=6
# The probe's container, as in examples/run-task-definition.json.
readonly CONTAINER=vpce-probe

usage() {
  cat <<EOF
usage: $PROG --cluster CLUSTER --service SERVICE [options]

Runs vpce-probe once in the network position of an ECS service and exits
with its verdict (0 pass, 1 fail; 4 usage, 5 an AWS call failed, 6 the
probe's task could not start).

  --cluster NAME|ARN          the service's cluster (required)
  --service NAME|ARN          the service whose subnets and security groups to probe from (required)
  --region REGION             the region (default: the AWS CLI's, then the service's)
  --services LIST             passed to the probe's --services (default: its default set)
  --expect any|private        passed to the probe's --expect
  --ecr-registry ACCOUNT      passed to the probe's --ecr-registry
  --dry-run                   print every AWS CLI call; make only the read-only ones

The task route (the default):
  --image URI                 the probe's image; registers a task definition revision
                              unless the family's latest is already this one
                              (default: reuse the family's latest revision as it is)
  --execution-role-arn ARN    the task execution role
                              (default: the service account's ecsTaskExecutionRole)
  --family NAME               the probe's task definition family (default: vpce-probe)

The Lambda route (examples/lambda/):
  --lambda                    invoke the probe's Lambda function instead of running a task
  --function-name NAME        the function (default: vpce-probe)
EOF
}

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  local code=$1
  shift
  say "$@"
  exit "$code"
}

# One AWS CLI call as a shell command line, each word quoted when it needs it.
show() {
  local word line='' sq="'" esc="'\\''"
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
      line+=" $word"
    else
      line+=" '${word//$sq/$esc}'"
    fi
  done
  printf '%s\n' "${line# }"
}

# call KIND ARGS...: one AWS CLI call, its standard output in $out. KIND read
# is made even in a dry run (it changes nothing); KIND run is only printed
# then. A real call is shown on stderr first, as `+ aws ...`.
out=''
call() {
  local kind=$1
  shift
  out=''
  if [ "$dry_run" = 1 ]; then
    show aws "$@"
    [ "$kind" = read ] || return 0
  else
    printf '+ %s\n' "$(show aws "$@")" >&2
  fi
  out=$(aws "$@")
}

# Text from AWS printed for a person: control characters become '?'.
readonly JQ_CLEAN='def clean: explode | map(if (. < 32 and . != 9) or . == 127 then 63 else . end) | implode;'

# ---- options -----------------------------------------------------------------
cluster='' service='' region='' services='' expect='' ecr_registry=''
image='' role='' family=vpce-probe lambda=0 function_name='' dry_run=0

need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then die "$EXIT_USAGE" "$1 needs a value (see --help)"; fi
}
while [ $# -gt 0 ]; do
  case $1 in
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
  esac
  case $1 in
    -h | --help) usage; exit 0 ;;
    --dry-run) dry_run=1; shift ;;
    --lambda) lambda=1; shift ;;
    --cluster) need_value "$@"; cluster=$2; shift 2 ;;
    --service) need_value "$@"; service=$2; shift 2 ;;
    --region) need_value "$@"; region=$2; shift 2 ;;
    --services) need_value "$@"; services=$2; shift 2 ;;
    --expect) need_value "$@"; expect=$2; shift 2 ;;
    --ecr-registry) need_value "$@"; ecr_registry=$2; shift 2 ;;
    --image) need_value "$@"; image=$2; shift 2 ;;
    --execution-role-arn) need_value "$@"; role=$2; shift 2 ;;
    --family) need_value "$@"; family=$2; shift 2 ;;
    --function-name) need_value "$@"; function_name=$2; shift 2 ;;
    *) die "$EXIT_USAGE" "unknown argument '$1' (see --help)" ;;
  esac
done

[ -n "$cluster" ] || die "$EXIT_USAGE" "--cluster is required (see --help)"
[ -n "$service" ] || die "$EXIT_USAGE" "--service is required (see --help)"
if [ -n "$region" ] && ! [[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]]; then
  die "$EXIT_USAGE" "invalid --region '$region': expected a region like ap-northeast-1"
fi
case $expect in
  '' | any | private) ;;
  *) die "$EXIT_USAGE" "invalid --expect '$expect': expected any or private" ;;
esac
if [ "$lambda" = 1 ]; then
  [ -z "$image$role" ] || die "$EXIT_USAGE" "--image and --execution-role-arn are for the task route, not --lambda"
  function_name=${function_name:-vpce-probe}
else
  [ -z "$function_name" ] || die "$EXIT_USAGE" "--function-name is for the Lambda route: add --lambda"
fi
if [ -n "$role" ] && ! [[ $role =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$ ]]; then
  die "$EXIT_USAGE" "invalid --execution-role-arn '$role': expected arn:aws:iam::ACCOUNT:role/NAME"
fi
command -v aws >/dev/null || die "$EXIT_USAGE" "the AWS CLI v2 (aws) is not on PATH"
command -v jq >/dev/null || die "$EXIT_USAGE" "jq is not on PATH"

# The AWS CLI v2 pipes output through a pager unless told not to.
export AWS_PAGER=''
region_args=()
[ -z "$region" ] || region_args=(--region "$region")
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
[ "$dry_run" = 0 ] || say "dry run: the read-only calls are made, the others printed and not made"

# ---- the service's network position ----------------------------------------------
call read ecs describe-services --cluster "$cluster" --services "$service" "${region_args[@]}" --output json ||
  die "$EXIT_AWS" "describe-services of service '$service' in cluster '$cluster' failed (aws exited $?)"
svc=$(jq -c '.services[0] // empty' <<<"$out")
if [ -z "$svc" ]; then
  why=$(jq -r "$JQ_CLEAN"' [.failures[]? | "\(.reason // "?" | clean)\(if .detail then " (\(.detail | clean))" else "" end)"] | join("; ")' <<<"$out")
  die "$EXIT_AWS" "service '$service' in cluster '$cluster': ${why:-not found}"
fi
# The service's own configuration; a blue/green service keeps it on its primary task set.
awsvpc=$(jq -c '[.networkConfiguration, (.taskSets[]? | select(.status == "PRIMARY") | .networkConfiguration),
  (.deployments[]? | select(.status == "PRIMARY") | .networkConfiguration)]
  | map(.awsvpcConfiguration? // empty) | first // empty' <<<"$svc")
[ -n "$awsvpc" ] || die "$EXIT_AWS" "service '$service' has no awsvpc network configuration (bridge or host mode): its tasks share their instance's network; run vpce-probe on the instance instead"
service_arn=$(jq -r '.serviceArn' <<<"$svc")
IFS=: read -r _ partition _ svc_region account _ <<<"$service_arn"
region=${region:-$svc_region}
launch_type=$(jq -r '.launchType // empty' <<<"$svc")
strategy=$(jq -c '.capacityProviderStrategy // []' <<<"$svc")
platform_version=$(jq -r '.platformVersion // empty' <<<"$svc")
say "$(jq -r --arg lt "${launch_type:-capacity providers}" --argjson net "$awsvpc" "$JQ_CLEAN"'
  "service \(.serviceName | clean): \($lt | clean)\(if .platformVersion then " \(.platformVersion | clean)" else "" end),"
  + " subnets \($net.subnets // [] | join(",") | clean), security groups \($net.securityGroups // [] | join(",") | clean),"
  + " public IP \($net.assignPublicIp // "DISABLED" | clean)"' <<<"$svc")"

# The probe's options, the same for both routes: the Lambda event's keys are
# its flags in snake_case, and the task's command line is built from them.
options=$(jq -nc --arg services "$services" --arg expect "$expect" --arg ecr_registry "$ecr_registry" \
  '$ARGS.named | with_entries(select(.value != ""))')

# Prints the report on stdout, as the probe wrote it, and the verdict on stderr.
verdict() { # WHO REPORT
  printf '%s\n' "$2"
  jq -r --arg who "$1" "$JQ_CLEAN"'
    "\($who): verdict \(.verdict | clean) (\(.summary.fail) fail, \(.summary.warn) warn, \(.summary.ok) ok) in \(.region | clean)",
    (.endpoints[]? | select(.status == "fail") | "  FAIL  \(.service | clean)  \(.host | clean): \(.finding // "-" | clean)")' <<<"$2" |
    while IFS= read -r line; do say "$line"; done
}

# ---- the Lambda route --------------------------------------------------------------
if [ "$lambda" = 1 ]; then
  call read lambda get-function-configuration --function-name "$function_name" --region "$region" --output json ||
    die "$EXIT_AWS" "get-function-configuration of function '$function_name' failed (aws exited $?)"
  fn_vpc=$(jq -c '.VpcConfig // {} | {subnets: (.SubnetIds // [] | sort), groups: (.SecurityGroupIds // [] | sort)}' <<<"$out")
  svc_vpc=$(jq -c '{subnets: (.subnets // [] | sort), groups: (.securityGroups // [] | sort)}' <<<"$awsvpc")
  [ "$(jq '.subnets | length' <<<"$fn_vpc")" -gt 0 ] ||
    die "$EXIT_AWS" "function '$function_name' is not attached to a VPC: its answer would be the internet's, not the service's (create it with --vpc-config, examples/lambda/README.md)"
  if [ "$fn_vpc" != "$svc_vpc" ]; then
    say "warning: function '$function_name' runs in $(jq -r '"subnets \(.subnets | join(",")) and security groups \(.groups | join(","))"' <<<"$fn_vpc"), the service in $(jq -r '"subnets \(.subnets | join(",")) and security groups \(.groups | join(","))"' <<<"$svc_vpc"): the answer is for the function's position"
  fi
  if [ "$(jq -r '.assignPublicIp // "DISABLED"' <<<"$awsvpc")" = ENABLED ]; then
    say "warning: the service's tasks get public IPs and a Lambda ENI never does: a path through an internet gateway that works for the tasks fails from the function"
  fi
  payload=$options
  response="$workdir/report.json"
  call run lambda invoke --function-name "$function_name" --cli-binary-format raw-in-base64-out \
    --payload "$payload" --region "$region" --output json "$response" ||
    die "$EXIT_AWS" "lambda invoke of function '$function_name' failed (aws exited $?)"
  [ "$dry_run" = 0 ] || exit 0
  if [ -n "$(jq -r '.FunctionError // empty' <<<"$out")" ]; then
    err_type=$(jq -r "$JQ_CLEAN"' .errorType // "?" | clean' "$response" 2>/dev/null || echo '?')
    message=$(jq -r "$JQ_CLEAN"' .errorMessage // "?" | clean' "$response" 2>/dev/null || echo '?')
    # A bad event is the probe's own usage error: its exit code 2, as in a task.
    [ "$err_type" != UsageError ] || die 2 "the probe in function '$function_name' refused its configuration (its event or its VPCE_PROBE_* variables): $message"
    die "$EXIT_AWS" "function '$function_name' failed: $err_type: $message"
  fi
  answer=$(jq -r 'select(type == "object") | .verdict | select(. == "pass" or . == "fail")' "$response" 2>/dev/null) || answer=''
  [ -n "$answer" ] || die "$EXIT_AWS" "function '$function_name' answered something that is not a vpce-probe report"
  code=0
  [ "$answer" = pass ] || code=1
  verdict "function '$function_name' answered" "$(cat "$response")"
  exit "$code"
fi

# ---- the task definition -----------------------------------------------------------
case ${launch_type:-} in
  EC2) compat=EC2 ;;
  '') compat=$(jq -r 'if any(.[]; .capacityProvider | test("^FARGATE(_SPOT)?$") | not) then "EC2" else "FARGATE" end' <<<"$strategy") ;;
  *) compat=$launch_type ;;
esac
# What examples/run-task-definition.json declares, with this image, role and region.
shape='def shape: {family, networkMode, requiresCompatibilities: (.requiresCompatibilities // [] | sort), cpu, memory,
  executionRoleArn, containerDefinitions: [.containerDefinitions[]? | {name, image, essential, command,
  logConfiguration: {logDriver: .logConfiguration.logDriver, options: .logConfiguration.options}}]};'
desired=''
if [ -n "$image" ]; then
  role=${role:-arn:$partition:iam::$account:role/ecsTaskExecutionRole}
  desired=$(jq -nc --arg family "$family" --arg image "$image" --arg role "$role" --arg region "$region" \
    --arg compat "$compat" --arg name "$CONTAINER" '{
      family: $family, networkMode: "awsvpc", requiresCompatibilities: [$compat], cpu: "256", memory: "512",
      executionRoleArn: $role,
      containerDefinitions: [{
        name: $name, image: $image, essential: true, command: ["check", "--format", "json"],
        logConfiguration: {logDriver: "awslogs", options: {
          "awslogs-group": "/ecs/vpce-probe", "awslogs-create-group": "true",
          "awslogs-region": $region, "awslogs-stream-prefix": "diag"}}}]}')
fi
td=''
if call read ecs describe-task-definition --task-definition "$family" --region "$region" --output json; then
  td=$(jq -c '.taskDefinition' <<<"$out")
elif [ -z "$desired" ]; then
  die "$EXIT_USAGE" "no task definition '$family' in $region to reuse: give --image to register one"
elif [ "$dry_run" = 1 ]; then
  say "no task definition '$family' to reuse in $region: the dry run would register one"
else
  say "no task definition '$family' to reuse in $region: registering one"
fi
if [ -n "$desired" ] && { [ -z "$td" ] || [ "$(jq -n "$shape"' $a | shape == ($b | shape)' --argjson a "$td" --argjson b "$desired")" != true ]; }; then
  call run ecs register-task-definition --cli-input-json "$desired" --region "$region" --output json ||
    die "$EXIT_AWS" "register-task-definition of family '$family' failed (aws exited $?)"
  if [ "$dry_run" = 1 ]; then
    td=$(jq -c '. + {taskDefinitionArn: .family}' <<<"$desired")
  else
    td=$(jq -c '.taskDefinition' <<<"$out")
    say "registered $(jq -r .taskDefinitionArn <<<"$td")"
  fi
else
  [ "$dry_run" = 1 ] || say "reusing $(jq -r .taskDefinitionArn <<<"$td")"
fi
td_arn=$(jq -r .taskDefinitionArn <<<"$td")
log=$(jq -c --arg name "$CONTAINER" '.containerDefinitions[]? | select(.name == $name) | .logConfiguration // {}' <<<"$td")
[ -n "$log" ] || die "$EXIT_AWS" "task definition $td_arn has no container named $CONTAINER"
log_group=$(jq -r 'select(.logDriver == "awslogs") | .options["awslogs-group"] // empty' <<<"$log")
log_prefix=$(jq -r 'select(.logDriver == "awslogs") | .options["awslogs-stream-prefix"] // empty' <<<"$log")
if [ -z "$log_group" ] || [ -z "$log_prefix" ]; then
  die "$EXIT_AWS" "task definition $td_arn does not send $CONTAINER's output to awslogs with a stream prefix: the report could not be read"
fi

# ---- run it, wait for it, read it ------------------------------------------------
network=$(jq -c '{awsvpcConfiguration: .}' <<<"$awsvpc")
overrides=$(jq -c --arg name "$CONTAINER" '{containerOverrides: [{name: $name,
  command: (["check", "--format", "json"] + (to_entries | map(["--" + (.key | gsub("_"; "-")), .value]) | add // []))}]}' \
  <<<"$options")
run=(ecs run-task --cluster "$cluster" --task-definition "$td_arn")
if [ -n "$launch_type" ]; then
  run+=(--launch-type "$launch_type")
elif [ "$strategy" != '[]' ]; then
  run+=(--capacity-provider-strategy "$strategy")
fi
[ -z "$platform_version" ] || run+=(--platform-version "$platform_version")
run+=(--network-configuration "$network" --overrides "$overrides" --started-by vpce-probe
  --region "$region" --output json)
call run "${run[@]}" || die "$EXIT_AWS" "run-task in cluster '$cluster' failed (aws exited $?)"
if [ "$dry_run" = 1 ]; then
  task_arn=TASK_ARN
else
  task_arn=$(jq -r '.tasks[0].taskArn // empty' <<<"$out")
  if [ -z "$task_arn" ]; then
    why=$(jq -r "$JQ_CLEAN"' [.failures[]? | "\(if .arn then "\(.arn | clean): " else "" end)\(.reason // "?" | clean)\(if .detail then " (\(.detail | clean))" else "" end)"] | join("; ")' <<<"$out")
    die "$EXIT_AWS" "run-task in cluster '$cluster' started no task: ${why:-no reason given}"
  fi
  say "started $task_arn; waiting for it to stop"
fi
call run ecs wait tasks-stopped --cluster "$cluster" --tasks "$task_arn" --region "$region" ||
  die "$EXIT_AWS" "task $task_arn did not stop while the waiter polled (aws exited $?); stop it with: aws ecs stop-task --cluster $cluster --task $task_arn --region $region"
call run ecs describe-tasks --cluster "$cluster" --tasks "$task_arn" --region "$region" --output json ||
  die "$EXIT_AWS" "describe-tasks of task $task_arn failed (aws exited $?)"
task_id=${task_arn##*/}
[ "$dry_run" = 0 ] || task_id=TASK_ID
stream="$log_prefix/$CONTAINER/$task_id"
get_logs=(logs get-log-events --log-group-name "$log_group" --log-stream-name "$stream" --start-from-head
  --region "$region" --output json)
if [ "$dry_run" = 1 ]; then
  call run "${get_logs[@]}"
  exit 0
fi

task=$(jq -c '.tasks[0] // {}' <<<"$out")
code=$(jq -r --arg name "$CONTAINER" '.containers[]? | select(.name == $name) | .exitCode // empty' <<<"$task")
if [ -z "$code" ]; then
  jq -r --arg name "$CONTAINER" "$JQ_CLEAN"' "stopped: \(.stopCode // "?" | clean): \(.stoppedReason // "no reason given" | clean)",
    (.containers[]? | select(.name == $name and .reason) | "container \($name): \(.reason | clean)")' <<<"$task" |
    while IFS= read -r line; do say "$line"; done
  die "$EXIT_NOT_STARTED" "the probe's task stopped before the probe ran: the reason above may be the answer (vpce-probe explain 'REASON' reads it); when the task cannot pull its image or start its log driver, try --lambda"
fi

# The report, from the stream's first event on: one event per line of output,
# so a pretty-printed report is many events and a long line may be split in
# several; the events are joined back before parsing.
events="$workdir/events"
: >"$events"
token=''
while :; do
  page=("${get_logs[@]}")
  [ -z "$token" ] || page+=(--next-token "$token")
  call read "${page[@]}" ||
    die "$EXIT_AWS" "the probe exited $code but its log stream $stream in $log_group could not be read (aws exited $?)"
  jq -c '.events[]?.message' <<<"$out" >>"$events"
  next=$(jq -r '.nextForwardToken // empty' <<<"$out")
  # The stream's end: the token comes back unchanged.
  if [ -z "$next" ] || [ "$next" = "$token" ]; then break; fi
  token=$next
done
[ -s "$events" ] || die "$EXIT_AWS" "the probe exited $code but its log stream $stream in $log_group is empty"
# The report runs from the first event that opens a JSON object to the last
# that closes one, joined with newlines (a pretty report) or without (a line
# the driver split); events around it (the probe's stderr) go to stderr.
split=$(jq -sc '. as $m
  | [range(0; length) | select($m[.] | startswith("{"))][0] as $a
  | [range(0; length) | select($m[.] | endswith("}"))][-1] as $b
  | (if $a != null and $b != null and $a <= $b
     then $m[$a:$b + 1] | [join("\n"), join("")] | map(select(try (fromjson | type == "object") catch false)) | first
     else null end) as $r
  | if $r then {report: $r, other: ($m[:$a] + $m[$b + 1:])} else {report: null, other: $m} end' "$events")
if [ "$(jq -r '.report | type' <<<"$split")" = string ]; then
  jq -r "$JQ_CLEAN"' .other[] | clean' <<<"$split" | while IFS= read -r line; do say "probe: $line"; done
  verdict "vpce-probe exited $code" "$(jq -r .report <<<"$split")"
else
  # Not a JSON report (the probe's usage error, or text output): as it is.
  jq -r "$JQ_CLEAN"' .other[] | clean' <<<"$split"
  say "vpce-probe exited $code"
fi
exit "$code"
