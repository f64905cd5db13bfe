"""Template parameters typed `AWS::SSM::Parameter::Value<String>` deploy with the value SSM holds under their name."""

import boto3
import pytest
from moto import mock_aws

from localcloud.provision import ACCOUNT
from localcloud.ssm_parameters import (
    LOCAL_PARAMETERS,
    MissingSsmParameter,
    put_local_parameters,
    template_parameter_values,
)

REGION = "us-east-1"
LAYER_PARAMETER = next(iter(LOCAL_PARAMETERS))


@pytest.fixture
def ssm():
    with mock_aws():
        put_local_parameters(ACCOUNT, REGION)
        yield boto3.client("ssm", region_name=REGION)


def test_local_parameters_are_real_ssm_parameters(ssm):
    stored = ssm.get_parameter(Name=LAYER_PARAMETER)["Parameter"]
    assert stored["Value"].startswith(f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV3-")


def test_ssm_typed_parameters_are_read_by_name_and_others_keep_their_default(ssm):
    values = template_parameter_values(
        {
            "Layer": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": LAYER_PARAMETER},
            "BootstrapVersion": {
                "Type": "AWS::SSM::Parameter::Value<String>",
                "Default": "/cdk-bootstrap/hnb659fds/version",
            },
            "Plain": {"Type": "String", "Default": "x"},
        },
        ssm,
    )
    assert values == {
        "Layer": ssm.get_parameter(Name=LAYER_PARAMETER)["Parameter"]["Value"],
        "BootstrapVersion": "29",
        "Plain": "x",
    }


def test_a_parameter_the_local_cloud_does_not_hold_is_a_clear_error(ssm):
    missing = "/aws/service/powertools/python/arm64/python3.13/0.0.1"
    with pytest.raises(
        MissingSsmParameter,
        match=r"Layer reads SSM parameter '/aws/service/powertools/python/arm64/"
        r"python3.13/0.0.1'.*LOCAL_PARAMETERS",
    ):
        template_parameter_values({"Layer": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": missing}}, ssm)
