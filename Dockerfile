# syntax=docker/dockerfile:1
# One image for the API and the workers: `docker run voc serve` or `docker run voc worker`.
# It runs the steps tests/test_installed_wheel.py runs in CI: the wheel installed into a fresh venv, then
# `voc models assemble` (shipped assets, Whisper model, NLP dictionary, signal detector) from a folder
# outside the source tree. (No Docker engine runs on the development machines: this file is checked by
# reading it, and by that test doing the same steps.)

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY voc ./voc
COPY api ./api
COPY models ./models
RUN pip wheel --no-deps -w /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install /wheels/voc-*.whl
ENV PATH=/opt/venv/bin:$PATH VOC_MODELS_DIR=/opt/voc/models
# The models are assembled (checksums verified) and built at image build time, never at run time.
WORKDIR /tmp
RUN voc models assemble

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 voc
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/voc/models /opt/voc/models
ENV PATH=/opt/venv/bin:$PATH \
    VOC_DATA_DIR=/data \
    VOC_MODELS_DIR=/opt/voc/models \
    VOC_HOST=0.0.0.0
RUN mkdir -p /data && chown voc:voc /data
USER voc
WORKDIR /home/voc
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["voc"]
CMD ["serve"]
