# vpce-probe: one static binary in an otherwise empty image.
#
# Build:  docker build -t vpce-probe .
# The final stage has no shell, no libc and no CA bundle: TLS roots are
# compiled into the binary, and DNS is read from the /etc/resolv.conf and
# /etc/hosts that the container runtime injects.
#
# RUST_IMAGE is the build stage's base. Keep the default; the container test
# (tests/container/run) passes a local stand-in because the machines it runs
# on cannot pull images.
ARG RUST_IMAGE=rust:1.95-bookworm

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The manifest declares the bench helpers as examples; cargo wants their files.
COPY bench ./bench
# /rootfs is the final image's whole tree: the binary, and a /tmp (mode 1777,
# like any /tmp) where `watch` writes its status file. A scratch image has no
# /tmp of its own.
RUN target="$(rustc -vV | sed -n 's/^host: //p')" \
 && RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target" \
 && mkdir -p /rootfs/tmp \
 && chmod 1777 /rootfs/tmp \
 && cp "target/$target/release/vpce-probe" /rootfs/vpce-probe

FROM scratch
COPY --from=build /rootfs/ /
# ECS (and Docker) copy an image's contents and permissions into a volume
# mounted at a path the image declares as a VOLUME. With
# "readonlyRootFilesystem": true the task mounts a volume at /tmp; declaring it
# here makes that volume 1777 instead of an empty root-owned 0755 directory,
# which nobody (below) could not write.
VOLUME ["/tmp"]
# nobody:nogroup; the probe needs no privileges. It writes only its status
# file under /tmp.
USER 65534:65534
ENTRYPOINT ["/vpce-probe"]
